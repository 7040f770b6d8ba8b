# R oracles for lonely_psu="adjust" inside domains: by-domain totals and totals with
# na.rm=TRUE, as survey 4.5 computes them.
#
# Run in this folder: Rscript make_oracles.R   (writes oracles.csv)
#
# The R installed here has survey 4.1.1, whose "adjust" leaves a lonely PSU's total
# uncentred.  survey >= 4.4-1 centres it at the estimate's average PSU total; survey 4.5's
# onestage() (R/multistage.R; the C++ arma_onestage() does the same) computes that centre as
#   colSums(x) / sum over the strata present in x of the sample's number of PSUs in the
#   stratum,
# where x holds the rows of the domain (subset() drops the other rows of an uncalibrated
# design, and svytotal(na.rm=TRUE) drops the rows with a missing value), so the denominator
# counts every PSU of each stratum the domain meets, not only the PSUs it visits.  The
# function onestage_45 below is that logic, written out here and put in place of survey
# 4.1.1's onestage(), so that svytotal / svyby compute survey 4.5's values.  It is checked
# against the survey 4.5 reference values of the shared suite (whole-sample totals) and
# against 4.1.1 itself for the options that did not change ("remove", "average", means).
suppressMessages(library(survey))

onestage_45 <- function(x, strata, clusters, nPSU, fpc, lonely.psu = getOption("survey.lonely.psu"),
                        stage = 0, cal) {
  if (NROW(x) == 0) return(matrix(0, NCOL(x), NCOL(x)))
  centre <- rep(0, NCOL(x))
  if (identical(lonely.psu, "adjust")) {
    centre <- colSums(x) / sum(nPSU[!duplicated(strata)])
  }
  parts <- lapply(split(seq_len(NROW(x)), factor(strata)), function(rows) {
    stratum_variance(x[rows, , drop = FALSE], clusters[rows], nPSU[rows][1], fpc[rows],
                     lonely.psu, strata[rows][1], centre)
  })
  ok <- !vapply(parts, anyNA, logical(1))
  summed <- Reduce(`+`, lapply(parts, function(m) { m[is.na(m)] <- 0; m }))
  summed * length(parts) / sum(ok)
}

stratum_variance <- function(x, cluster, m, fpc, lonely.psu, stratum, centre) {
  f <- if (is.null(fpc)) rep(1, NROW(x)) else ifelse(fpc == Inf, 1, (fpc - m) / fpc)
  if (all(f < 1e-7)) return(matrix(0, NCOL(x), NCOL(x)))  # sampled with certainty
  scale <- (if (m > 1) f * m / (m - 1) else f)[!duplicated(cluster)]
  totals <- rowsum(x, cluster)
  visited <- nrow(totals)
  if (visited < m) {
    totals <- rbind(totals, matrix(0, ncol = ncol(totals), nrow = m - visited))
    scale <- rep(scale[1], nrow(totals))
  }
  lonely <- m == 1
  at <- if (lonely && identical(lonely.psu, "adjust")) centre else colMeans(totals)
  totals <- sweep(totals, 2, at, "-")
  if (!lonely) return(crossprod(totals * sqrt(scale)))
  switch(lonely.psu,
         certainty = , remove = , adjust = crossprod(totals * sqrt(scale)),
         average = NA * crossprod(totals),
         fail = stop("Stratum (", stratum, ") has only one PSU at stage 1"))
}

onestage_411 <- survey:::onestage
use <- function(f) assignInNamespace("onestage", f, ns = "survey")

apiclus1 <- read.csv("../r_survey_suite/data/apiclus1.csv")
single <- read.csv("../r_survey_suite/data/singleton.csv")
cd <- read.csv("../compare_domains/data.csv")
lonely_api <- svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = apiclus1)
lonely_api_fpc <- svydesign(id = ~1, weights = ~pw, strata = ~dnum, fpc = ~fpc_lonely, data = apiclus1)
singleton <- svydesign(ids = ~PSU, strata = ~Stratum, weights = ~Design_Weight, data = single)
clustered <- svydesign(ids = ~psu_lonely, strata = ~h_lonely, weights = ~w, data = cd)

# 1. the re-implementation reproduces survey 4.5 (shared suite, reference/survey_4.5.csv)
options(survey.lonely.psu = "adjust")
use(onestage_45)
stopifnot(abs(SE(svytotal(~api00, lonely_api)) - 36098.992532554497) < 1e-8 * 36098.99)
stopifnot(abs(SE(svytotal(~Age, singleton)) - 357.1831602973466) < 1e-8 * 357.18)
# ... and survey 4.1.1 where nothing changed
same <- function(expr) {
  use(onestage_45); a <- eval.parent(substitute(expr))
  use(onestage_411); b <- eval.parent(substitute(expr))
  use(onestage_45)
  stopifnot(isTRUE(all.equal(a, b, tolerance = 1e-13)))
}
for (opt in c("remove", "average", "certainty")) {
  options(survey.lonely.psu = opt)
  same(SE(svyby(~api00, ~stype, lonely_api, svytotal)))
  same(SE(svytotal(~acs.k3, lonely_api, na.rm = TRUE)))
  same(SE(svyby(~y, ~g, clustered, svytotal)))
}
options(survey.lonely.psu = "adjust")
same(SE(svyby(~api00, ~stype, lonely_api, svymean)))  # means: the centre is 0

# 2. the oracles (survey 4.5 logic), and survey 4.1.1's value beside them
rows <- list()
record <- function(case, est, se) {
  use(onestage_411); se411 <- eval.parent(substitute(se))
  use(onestage_45); se45 <- eval.parent(substitute(se))
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, domain = names(est), estimate = sprintf("%.17g", est),
    se = sprintf("%.17g", se45), se_survey_4.1.1 = sprintf("%.17g", se411))
}
by_total <- function(design, y, by, na.rm = FALSE) {
  b <- svyby(as.formula(paste("~", y)), as.formula(paste("~", by)), design, svytotal, na.rm = na.rm)
  list(est = setNames(coef(b), as.character(b[[by]])), design = design)
}
options(survey.lonely.psu = "adjust")
for (spec in list(list("api_by_stype_api00", lonely_api, "api00", "stype", FALSE),
                  list("api_by_stype_acsk3_narm", lonely_api, "acs.k3", "stype", TRUE),
                  list("api_fpc_by_stype_api00", lonely_api_fpc, "api00", "stype", FALSE),
                  list("api_by_both_api00", lonely_api, "api00", "both", FALSE),
                  list("clustered_by_g_y", clustered, "y", "g", FALSE),
                  list("clustered_by_a_y_na_narm", clustered, "y_na", "a", TRUE),
                  list("singleton_by_sex_age", singleton, "Age", "Sex", FALSE))) {
  f_y <- as.formula(paste("~", spec[[3]])); f_by <- as.formula(paste("~", spec[[4]]))
  b <- svyby(f_y, f_by, spec[[2]], svytotal, na.rm = spec[[5]])
  est <- setNames(coef(b), as.character(b[[spec[[4]]]]))
  record(spec[[1]], est, SE(svyby(f_y, f_by, spec[[2]], svytotal, na.rm = spec[[5]])))
}
for (spec in list(list("api_total_acsk3_narm", lonely_api, "acs.k3"),
                  list("api_fpc_total_acsk3_narm", lonely_api_fpc, "acs.k3"),
                  list("clustered_total_y_na_narm", clustered, "y_na"))) {
  f_y <- as.formula(paste("~", spec[[3]]))
  s <- svytotal(f_y, spec[[2]], na.rm = TRUE)
  record(spec[[1]], setNames(coef(s), "(all)"), SE(svytotal(f_y, spec[[2]], na.rm = TRUE)))
}
use(onestage_411)
out <- do.call(rbind, rows)
write.csv(out, "oracles.csv", row.names = FALSE)
print(out)
