## Reference values of R's `survey` for gpcollab's replicate-weight designs (ReplicateDesign).
##
##   cd tests/data/replicate && Rscript replicate.R
##
## Reads the suite's data (../r_survey_suite/data: apiclus1, apistrat, scd) and the GP-like
## design (../r_survey/gp_like_design.csv), builds replicate designs the two ways gpcollab does
## (as.svrepdesign from a Taylor design; svrepdesign from given replicate columns), and writes
##   replicate_<survey version>.csv   case, qty, value (sprintf %.17g), note (R's warnings)
##   given_*.csv                     data with replicate columns exported from R, for the
##                                   designs built from given columns (bootstrap replicates
##                                   come from R's RNG, which Python cannot reproduce)
## The machine that made these files has survey 4.1-1; the code paths used here (svrVar,
## svrepdesign, as.svrepdesign, jk1weights/jknweights/brrweights, svymean/svytotal/svyratio
## on svyrep.design, svyciprop, svyquantile.svyrep.design, degf.svyrep.design) are those of
## survey 4.5 as well (see README.md).
suppressPackageStartupMessages(library(survey))
VER <- as.character(packageVersion("survey"))
options(survey.lonely.psu = "fail")

LEVELS <- read.csv("../r_survey_suite/data/levels.csv", stringsAsFactors = FALSE)
load_csv <- function(name) {
  d <- read.csv(file.path("../r_survey_suite/data", paste0(name, ".csv")),
                stringsAsFactors = FALSE, check.names = FALSE)
  lv <- LEVELS[LEVELS$dataset == name, ]
  for (i in seq_len(nrow(lv)))
    d[[lv$column[i]]] <- factor(as.character(d[[lv$column[i]]]),
                                levels = strsplit(lv$levels[i], "|", fixed = TRUE)[[1]])
  d
}
fmt <- function(v) ifelse(is.na(v) & !is.nan(v), "NA", sprintf("%.17g", v))
ROWS <- list()
case <- function(id, fn) {
  warns <- character()
  res <- withCallingHandlers(
    tryCatch(fn(), error = function(e) structure(list(msg = conditionMessage(e)), class = "case_error")),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  note <- paste(unique(gsub("[\r\n]+", " ", warns)), collapse = " | ")
  if (inherits(res, "case_error")) {
    ROWS[[length(ROWS) + 1]] <<- data.frame(case = id, qty = "error", value = "NA",
      note = gsub("[\r\n]+", " ", res$msg), stringsAsFactors = FALSE)
  } else {
    v <- unlist(res)
    ROWS[[length(ROWS) + 1]] <<- data.frame(case = id, qty = names(v),
      value = fmt(unname(as.numeric(v))), note = note, stringsAsFactors = FALSE)
  }
}

## ------------------------------------------------------------------ data and designs
clus1 <- load_csv("apiclus1")
strat <- load_csv("apistrat")
scd <- load_csv("scd")
gp <- read.csv("../r_survey/gp_like_design.csv", stringsAsFactors = FALSE)
for (d in c("clus1", "strat")) {
  x <- get(d)
  x$yes <- as.numeric(x$sch.wide == "Yes")
  assign(d, x)
}
gp$aim <- factor(gp$aim)
gp$size_band <- factor(gp$size_band)

T <- list(
  clus1 = svydesign(id = ~dnum, weights = ~pw, data = clus1, fpc = ~fpc),
  clus1_nofpc = svydesign(id = ~dnum, weights = ~pw, data = clus1),
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat, fpc = ~fpc),
  scd = svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE),
  gp = svydesign(id = ~ccg, strata = ~region, weights = ~weight, data = gp, nest = TRUE)
)
## eight strata of two PSUs: R's BRR takes its order-12 (Paley) Hadamard matrix, exported here
pairs8 <- strat[1:16, ]
pairs8$h <- rep(1:8, each = 2)
pairs8$p <- rep(1:2, 8)
T$pairs8 <- svydesign(id = ~p, strata = ~h, nest = TRUE, weights = ~pw, data = pairs8)
write.csv(survey:::hadamard(8), "given_hadamard8.csv", row.names = FALSE)
D <- list(
  pairs8_brr = as.svrepdesign(T$pairs8, type = "BRR"),
  clus1_jk1 = as.svrepdesign(T$clus1),
  clus1_nofpc_jk1 = as.svrepdesign(T$clus1_nofpc),
  strat_jkn = as.svrepdesign(T$strat),
  strat_jkn_mse = as.svrepdesign(T$strat, mse = TRUE),
  scd_brr = as.svrepdesign(T$scd, type = "BRR"),
  scd_fay = as.svrepdesign(T$scd, type = "Fay", fay.rho = 0.3),
  gp_jkn = as.svrepdesign(T$gp)
)

## designs from given replicate columns: export R's replicate weights, rebuild with svrepdesign
export <- function(design, data, name, prefix = "rep") {
  a <- weights(design, "analysis")
  colnames(a) <- sprintf("%s%03d", prefix, seq_len(ncol(a)))
  out <- cbind(data, a)
  for (v in names(out)) if (is.double(out[[v]])) out[[v]] <- fmt(out[[v]])  # all 17 digits
  file <- paste0("given_", name, ".csv")
  write.csv(out, file, row.names = FALSE)
  ## rebuild from the file, so that R and Python start from the same numbers
  back <- read.csv(file, stringsAsFactors = FALSE, check.names = FALSE)
  for (v in intersect(c("stype", "sch.wide"), names(back)))
    back[[v]] <- factor(back[[v]], levels = levels(data[[v]]))
  back
}
set.seed(20261206)
boot <- as.svrepdesign(T$clus1, type = "subbootstrap", replicates = 40)
g_boot <- export(boot, clus1, "clus1_boot")
g_jkn <- export(D$strat_jkn, strat, "strat_jkn")
write.csv(data.frame(rscales = fmt(D$strat_jkn$rscales)), "given_strat_jkn_rscales.csv", row.names = FALSE)
rscales_jkn <- read.csv("given_strat_jkn_rscales.csv")$rscales
g_fay <- export(D$scd_fay, scd, "scd_fay")
g_jk1 <- export(D$clus1_nofpc_jk1, clus1, "clus1_jk1")
D$given_boot <- svrepdesign(data = g_boot, repweights = "^rep[0-9]", weights = ~pw,
                            type = "bootstrap", combined.weights = TRUE)
D$given_boot_mse <- svrepdesign(data = g_boot, repweights = "^rep[0-9]", weights = ~pw,
                                type = "bootstrap", combined.weights = TRUE, mse = TRUE)
D$given_jkn <- svrepdesign(data = g_jkn, repweights = "^rep[0-9]", weights = ~pw, type = "JKn",
                           combined.weights = TRUE, rscales = rscales_jkn)
D$given_fay <- svrepdesign(data = g_fay, repweights = "^rep[0-9]", weights = ~one, type = "Fay",
                           rho = 0.3, combined.weights = TRUE)
D$given_jk1 <- svrepdesign(data = g_jk1, repweights = "^rep[0-9]", weights = ~pw, type = "JK1",
                           combined.weights = TRUE, scale = 14 / 15)

## ------------------------------------------------------------------ quantity helpers
k_stat <- function(s, df) {
  ci <- confint(s, df = df)
  c(est = unname(coef(s))[1], se = unname(SE(s))[1], df = df, ci_l = ci[1, 1], ci_u = ci[1, 2])
}
fml <- function(v) as.formula(paste0("~`", v, "`"))
k_mean <- function(d, y, na.rm = FALSE) {
  dd <- if (na.rm) d[!is.na(d$variables[[y]]), ] else d
  k_stat(svymean(fml(y), d, na.rm = na.rm), degf(dd))
}
k_total <- function(d, y) k_stat(svytotal(fml(y), d), degf(d))
k_ratio <- function(d, num, den) {
  r <- svyratio(fml(num), fml(den), d)
  est <- coef(r)[[1]]; se <- SE(r)[[1]]; df <- degf(d); q <- qt(0.975, df)
  c(est = est, se = se, df = df, ci_l = est - q * se, ci_u = est + q * se)
}
## a domain is a subset of the design (svyby on a replicate design does exactly this)
k_by <- function(d, by, fn) {
  keys <- sort(unique(as.character(d$variables[[by]])))
  out <- c()
  for (k in keys) {
    v <- fn(d[as.character(d$variables[[by]]) == k, ])
    out <- c(out, setNames(v, paste0(names(v), "[", k, "]")))
  }
  out
}
k_levels <- function(d, y) {
  s <- svymean(fml(y), d)
  lv <- levels(d$variables[[y]])
  c(setNames(unname(coef(s)), paste0("est[", lv, "]")), setNames(unname(SE(s)), paste0("se[", lv, "]")),
    df = degf(d))
}
k_ciprop <- function(d, y, method) {
  ci <- svyciprop(fml(y), d, method = method)
  c(est = unname(coef(ci))[1], se = unname(SE(ci))[1], ci_l = confint(ci)[1, 1],
    ci_u = confint(ci)[1, 2], df = degf(d))
}
k_quantile <- function(d, y, type, p = 0.5) {
  q <- svyquantile(fml(y), d, p, interval.type = type, ci = TRUE)[[1]]
  c(est = q[1, 1], ci_l = q[1, 2], ci_u = q[1, 3], se = q[1, 4], df = degf(d))
}

## ------------------------------------------------------------------ cases
api_designs <- c("clus1_jk1", "clus1_nofpc_jk1", "strat_jkn", "strat_jkn_mse", "given_boot",
                 "given_boot_mse", "given_jkn", "given_jk1")
for (n in api_designs) {
  d <- D[[n]]
  case(paste0(n, "/mean/api00"), function() k_mean(d, "api00"))
  case(paste0(n, "/mean/api99_na/narm"), function() if ("api99_na" %in% names(d$variables)) k_mean(d, "api99_na", na.rm = TRUE) else k_mean(d, "api00"))
  case(paste0(n, "/total/enroll"), function() k_total(d, "enroll"))
  case(paste0(n, "/ratio/api.stu_enroll"), function() k_ratio(d, "api.stu", "enroll"))
  case(paste0(n, "/by_stype/mean/api00"), function() k_by(d, "stype", function(s) k_mean(s, "api00")))
  case(paste0(n, "/by_stype/total/enroll"), function() k_by(d, "stype", function(s) k_total(s, "enroll")))
  case(paste0(n, "/by_stype/ratio/api.stu_enroll"), function() k_by(d, "stype", function(s) k_ratio(s, "api.stu", "enroll")))
  case(paste0(n, "/factor/stype"), function() k_levels(d, "stype"))
  case(paste0(n, "/by_schwide/factor/stype"), function() k_by(d, "sch.wide", function(s) k_levels(s, "stype")))
  for (m in c("logit", "mean", "xlogit", "asin", "beta")) {
    case(paste0(n, "/ciprop/yes/", m), function() k_ciprop(d, "yes", m))
    case(paste0(n, "/by_stype/ciprop/yes/", m), function() k_by(d, "stype", function(s) k_ciprop(s, "yes", m)))
  }
  for (tp in c("mean", "beta", "xlogit", "asin", "quantile")) {
    case(paste0(n, "/quantile/api00/", tp), function() k_quantile(d, "api00", tp))
    case(paste0(n, "/by_stype/quantile/api00/", tp), function() k_by(d, "stype", function(s) k_quantile(s, "api00", tp)))
  }
  case(paste0(n, "/quantile/enroll/mean/q25"), function() k_quantile(d, "enroll", "mean", 0.25))
}
for (n in c("scd_brr", "scd_fay", "given_fay")) {
  d <- D[[n]]
  case(paste0(n, "/mean/alive"), function() k_mean(d, "alive"))
  case(paste0(n, "/total/arrests"), function() k_total(d, "arrests"))
  case(paste0(n, "/ratio/alive_arrests"), function() k_ratio(d, "alive", "arrests"))
  case(paste0(n, "/quantile/arrests/quantile"), function() k_quantile(d, "arrests", "quantile"))
}
## JKn with a lonely stratum (row 1 of apistrat in a stratum of its own), each lonely.psu policy
lonely <- strat
lonely$stratum <- as.character(lonely$stype)
lonely$stratum[1] <- "X"
for (policy in c("adjust", "average", "remove", "certainty", "fail")) {
  options(survey.lonely.psu = policy)
  case(paste0("lonely_", policy, "/mean/api00"), function() {
    d <- as.svrepdesign(svydesign(id = ~1, strata = ~stratum, weights = ~pw, data = lonely))
    c(k_mean(d, "api00"), setNames(k_total(d, "enroll"), paste0("total_", c("est", "se", "df", "ci_l", "ci_u"))))
  })
}
options(survey.lonely.psu = "fail")
d <- D$pairs8_brr
case("pairs8_brr/mean/api00", function() k_mean(d, "api00"))
case("pairs8_brr/total/enroll", function() k_total(d, "enroll"))
case("pairs8_brr/ratio/api.stu_enroll", function() k_ratio(d, "api.stu", "enroll"))
d <- D$gp_jkn
case("gp_jkn/mean/fully", function() k_mean(d, "fully"))
case("gp_jkn/total/fully", function() k_total(d, "fully"))
case("gp_jkn/factor/aim", function() k_levels(d, "aim"))
case("gp_jkn/by_size_band/factor/aim", function() k_by(d, "size_band", function(s) k_levels(s, "aim")))
case("gp_jkn/by_size_band/ciprop/fully/logit", function() k_by(d, "size_band", function(s) k_ciprop(s, "fully", "logit")))

## R's errors for bad input (gpcollab refuses too)
case("error/jk1_stratified", function() { as.svrepdesign(T$strat, type = "JK1"); c(ok = 1) })
case("error/jkn_unstratified", function() { as.svrepdesign(T$clus1, type = "JKn"); c(ok = 1) })
case("error/brr_unstratified", function() { as.svrepdesign(T$clus1, type = "BRR"); c(ok = 1) })
case("error/brr_odd_psus", function() { as.svrepdesign(T$gp, type = "BRR"); c(ok = 1) })
case("error/fay_without_rho", function() { svrepdesign(data = g_fay, repweights = "^rep[0-9]", weights = ~one, type = "Fay"); c(ok = 1) })
case("error/jkn_combined_without_rscales", function() { svrepdesign(data = g_jkn, repweights = "^rep[0-9]", weights = ~pw, type = "JKn"); c(ok = 1) })

out <- do.call(rbind, ROWS)
write.csv(out, paste0("replicate_", VER, ".csv"), row.names = FALSE)
cat("wrote", nrow(out), "rows of", length(unique(out$case)), "cases\n")
