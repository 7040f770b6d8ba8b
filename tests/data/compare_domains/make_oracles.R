# R oracles for gpcollab.compare_domains: differences between the domains of one table.
#
# Run in this folder: Rscript make_oracles.R
# Writes data.csv (a seeded synthetic table, doubles as %.17g) and oracles.csv (one row per
# pair of domains: the difference and its SE from svyby(..., svymean, covmat=TRUE) followed by
# svycontrast, and degf(design)).  Written with survey 4.1.1; svyby(covmat=TRUE) and
# svycontrast compute the same in survey 4.5 for these designs (for means the lonely-PSU
# "adjust" centre of 4.5, colSums/all PSUs, is zero, the centre 4.1.1 uses).
suppressMessages(library(survey))
set.seed(20261206)

n <- 360
strata_psus <- c(5, 4, 6, 3)
psu_stratum <- rep(seq_along(strata_psus), strata_psus)   # 18 PSUs
psu <- sample(seq_along(psu_stratum), n, replace = TRUE)
psu[seq_along(psu_stratum)] <- seq_along(psu_stratum)        # every PSU has rows
d <- data.frame(
  h = psu_stratum[psu],
  psu = psu,
  w = round(runif(n, 0.5, 4.5), 3),
  g = sample(c("large", "medium", "small"), n, replace = TRUE, prob = c(0.3, 0.4, 0.3)),
  a = sample(c("access", "quality"), n, replace = TRUE),
  m2 = sample(c("north", "south"), n, replace = TRUE)
)
d$fpc <- c(40, 30, 50, 20)[d$h]
d$y <- round(rnorm(n, mean = 10 + 2 * (d$g == "small") - (d$a == "quality"), sd = 3), 4)
d$b <- as.integer(runif(n) < 0.3 + 0.2 * (d$g == "large") + 0.1 * (d$a == "access"))
d$y_na <- d$y
d$y_na[sample(n, 40)] <- NA
# a lonely stratum: stratum 5 with one PSU (PSU 19)
d$h_lonely <- d$h
d$psu_lonely <- d$psu
lone <- sample(n, 25)
d$h_lonely[lone] <- 5
d$psu_lonely[lone] <- 19

# calibrated weights: raked to margins g and m2, post-stratified to g
base <- svydesign(ids = ~psu, strata = ~h, weights = ~w, data = d)
pop_g <- data.frame(g = c("large", "medium", "small"), Freq = c(300, 420, 280))
pop_m2 <- data.frame(m2 = c("north", "south"), Freq = c(480, 520))
raked <- rake(base, list(~g, ~m2), list(pop_g, pop_m2), control = list(epsilon = 1e-12, maxit = 200))
d$w_rake <- weights(raked)
ps <- postStratify(base, ~g, pop_g)
d$w_ps <- weights(ps)

fmt <- function(x) if (is.numeric(x)) sprintf("%.17g", x) else x
write.csv(as.data.frame(lapply(d, fmt)), "data.csv", row.names = FALSE, na = "")

designs <- list(
  strat_clus_fpc = svydesign(ids = ~psu, strata = ~h, fpc = ~fpc, weights = ~w, data = d),
  weights_only = svydesign(ids = ~1, weights = ~w, data = d),
  raked = raked,
  poststratified = ps,
  lonely = svydesign(ids = ~psu_lonely, strata = ~h_lonely, weights = ~w, data = d)
)

pairs_of <- function(b, within) {
  # rows of svyby output b, pairs (i < j) sharing the within columns
  out <- list()
  k <- nrow(b)
  for (i in seq_len(k - 1)) for (j in (i + 1):k) {
    if (length(within) && any(as.character(unlist(b[i, within])) != as.character(unlist(b[j, within])))) next
    out[[length(out) + 1]] <- c(i, j)
  }
  out
}

# The covariance of svyby(~y, ~by, design, svymean, covmat=TRUE), written out as survey 4.5's
# svyby.survey.design2 computes it: the influence values of each domain's svymean(...,
# influence=TRUE), zero outside the domain, in one matrix handed to svyrecvar with the whole
# design's clusters, strata, fpc and calibration (postStrata).  survey 4.1.1 has the same
# svyrecvar, but its svyby(covmat=TRUE) stops on a raked or post-stratified design (it places
# the subset's n influence rows into the domain's rows only; 4.5 keeps the domain's rows of
# them, `subset_drops_rows`), so the calibrated cases use this function; for the other designs
# it is checked against svyby(covmat=TRUE) itself.
covmat_by_hand <- function(des, y, keys) {
  levels_present <- sort(unique(keys[!is.na(keys)]))
  drops <- !(inherits(des, "cal.survey.design") || !is.null(des$postStrata))
  infl <- sapply(levels_present, function(k) {
    idx <- !is.na(keys) & keys == k
    m <- svymean(as.formula(paste("~", y)), des[idx, ], influence = TRUE)
    col <- numeric(nrow(des))
    inf <- attr(m, "influence")
    if (drops) col[idx] <- inf else col[idx] <- inf[idx]
    col
  })
  v <- survey:::svyrecvar(infl, des$cluster, des$strata, des$fpc, postStrata = des$postStrata)
  list(levels = levels_present, var = v)
}

rows <- list()
run <- function(case, des, y, by, within = character(0), lonely = "fail") {
  options(survey.lonely.psu = lonely)
  vars <- c(within, by)
  keys <- do.call(paste, c(lapply(des$variables[vars], as.character), sep = "|"))
  keys[Reduce(`|`, lapply(des$variables[vars], is.na))] <- NA
  hand <- covmat_by_hand(des, y, keys)
  b <- svyby(as.formula(paste("~", y)), as.formula(paste("~", paste(vars, collapse = "+"))),
             des, svymean, covmat = is.null(des$postStrata))
  labels <- do.call(paste, c(lapply(b[vars], as.character), sep = "|"))
  at <- match(labels, hand$levels)  # svyby's order (the first `by` column varies fastest)
  stopifnot(!anyNA(at), length(at) == length(hand$levels))
  V <- hand$var[at, at]
  if (is.null(des$postStrata)) stopifnot(isTRUE(all.equal(unname(vcov(b)), unname(V), tolerance = 1e-12)))
  est <- coef(b)
  for (p in pairs_of(b, within)) {
    con <- rep(0, nrow(b)); con[p[1]] <- -1; con[p[2]] <- 1
    if (is.null(des$postStrata)) {
      ct <- svycontrast(b, con); diff <- coef(ct); se <- SE(ct)
    } else {
      diff <- sum(con * est); se <- sqrt(drop(t(con) %*% V %*% con))
    }
    rows[[length(rows) + 1]] <<- data.frame(
      case = case, y = y, by = paste(by, collapse = "+"), within = paste(within, collapse = "+"),
      lonely = lonely, first = labels[p[1]], second = labels[p[2]],
      difference = sprintf("%.17g", diff), se = sprintf("%.17g", se), df = degf(des)
    )
  }
}

for (name in c("strat_clus_fpc", "weights_only", "raked", "poststratified")) {
  des <- designs[[name]]
  run(name, des, "y", "g")
  run(name, des, "b", "g")
  run(name, des, "y", "g", within = "a")
  run(name, des, "b", c("a", "g"))
}
for (lonely in c("adjust", "average", "remove")) {
  run("lonely", designs$lonely, "y", "g", lonely = lonely)
  run("lonely", designs$lonely, "b", "g", within = "a", lonely = lonely)
}
options(survey.lonely.psu = "fail")

# na_rm: a domain.  svyby(~y, ~g, na.rm=TRUE, covmat=TRUE) stops in survey 4.1.1 (the
# influence values of the subset lose the rows with a missing y), so the same domains are
# written as R estimates them: g set to NA where y is missing (those rows are in no domain but
# stay in the design), y filled with 0 there (never used).
na_rows <- is.na(d$y_na)
for (name in c("strat_clus_fpc", "weights_only", "raked", "poststratified")) {
  des <- update(designs[[name]], g_na = ifelse(na_rows, NA, g), y_filled = ifelse(na_rows, 0, y_na))
  before <- length(rows)
  run(name, des, "y_filled", "g_na")
  for (k in (before + 1):length(rows)) {
    rows[[k]]$y <- "y_na"; rows[[k]]$by <- "g"; rows[[k]]$case <- paste0(name, "_na_rm")
  }
}
write.csv(do.call(rbind, rows), "oracles.csv", row.names = FALSE)
cat("survey", as.character(packageVersion("survey")), "-", length(rows), "pairs\n")
