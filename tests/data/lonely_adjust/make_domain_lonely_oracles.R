# R oracles for SurveyDesign(adjust_domain_lonely=True): R's
# options(survey.adjust.domain.lonely=TRUE), a stratum with several PSUs of which a domain
# visits only one is lonely within that domain.
#
# Run in this folder: Rscript make_domain_lonely_oracles.R   (writes domain_lonely_oracles.csv)
#
# Data: ../compare_domains/data.csv (18 PSUs in 4 strata of 5, 4, 6 and 3 PSUs; h_lonely /
# psu_lonely add a fifth stratum with one PSU).  Domain `dom`: "one" holds the rows of PSU 1
# (stratum 1), all of stratum 2 and PSUs 10-11 (stratum 3), so it visits a single PSU of
# stratum 1; "rest" holds the others, so it visits 4 of stratum 1's 5 PSUs and none of
# stratum 2's.  Written with the survey 4.1.1 installed here.  The cases are those survey 4.5
# computes the same way: means under "adjust" (4.1.1 leaves the domain's lonely PSU
# uncentred, 4.5 centres it at the estimate's average PSU total, which is 0 for a mean) and
# "average" (unchanged).  Totals under "adjust" are left out: there the two versions differ.
suppressMessages(library(survey))
d <- read.csv("../compare_domains/data.csv")
d$dom <- ifelse(d$psu == 1 | d$h == 2 | d$psu %in% c(10, 11), "one", "rest")

designs <- list(
  strat = function() svydesign(ids = ~psu, strata = ~h, weights = ~w, data = d),
  strat_fpc = function() svydesign(ids = ~psu, strata = ~h, weights = ~w, fpc = ~fpc, data = d),
  lonely = function() svydesign(ids = ~psu_lonely, strata = ~h_lonely, weights = ~w, data = d)
)
cases <- list(
  list(design = "strat", policy = "adjust", stat = "mean", y = "y", narm = FALSE),
  list(design = "strat_fpc", policy = "adjust", stat = "mean", y = "y", narm = FALSE),
  list(design = "strat", policy = "adjust", stat = "mean", y = "y_na", narm = TRUE),
  list(design = "lonely", policy = "adjust", stat = "mean", y = "y", narm = FALSE),
  list(design = "strat", policy = "average", stat = "mean", y = "y", narm = FALSE),
  list(design = "strat", policy = "average", stat = "total", y = "y", narm = FALSE),
  list(design = "strat_fpc", policy = "average", stat = "total", y = "y", narm = FALSE),
  list(design = "lonely", policy = "average", stat = "total", y = "y", narm = FALSE),
  list(design = "strat", policy = "average", stat = "total", y = "y_na", narm = TRUE),
  list(design = "strat", policy = "remove", stat = "total", y = "y", narm = FALSE)
)
rows <- list()
for (cs in cases) {
  for (adjust_domain in c(FALSE, TRUE)) {
    options(survey.lonely.psu = cs$policy, survey.adjust.domain.lonely = adjust_domain)
    des <- designs[[cs$design]]()
    FUN <- if (cs$stat == "mean") svymean else svytotal
    b <- suppressWarnings(svyby(as.formula(paste0("~", cs$y)), ~dom, des, FUN, na.rm = cs$narm))
    rows[[length(rows) + 1]] <- data.frame(
      design = cs$design, policy = cs$policy, stat = cs$stat, y = cs$y, na_rm = cs$narm,
      adjust_domain_lonely = adjust_domain, dom = as.character(b$dom),
      estimate = sprintf("%.17g", coef(b)), se = sprintf("%.17g", SE(b)))
  }
}
write.csv(do.call(rbind, rows), "domain_lonely_oracles.csv", row.names = FALSE)
