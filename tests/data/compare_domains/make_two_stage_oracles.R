# R oracles for gpcollab.compare_domains on two-stage designs (SurveyDesign(ssu=, ssu_fpc=)):
# svyby(~y, ~by, design, svymean, covmat=TRUE) followed by svycontrast for every pair of
# domains (second minus first), on svydesign(id=~dnum+snum, fpc=~fpc1+fpc2) designs of the
# survey package's apiclus2 (../r_survey_suite/data/apiclus2.csv).
#
# Run in this folder: Rscript make_two_stage_oracles.R   (writes two_stage_oracles.csv)
#
# Written with the survey 4.1.1 installed here.  Its multistage variance (svyrecvar with both
# stages' fpc) gives the shared suite's survey 4.5 value of unsupported/multistage_dclus2 to
# 1e-16, and svyby(covmat=TRUE) on an uncalibrated design is the same in both versions.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
d <- read.csv("../r_survey_suite/data/apiclus2.csv")
d$yes <- as.numeric(d$sch.wide == "Yes")
d$half <- ifelse(d$dnum < 400, "low", "high")
d$frac1 <- 40 / 757
d$frac2 <- 1 / (d$pw / (757 / 40))
# a PSU with one sampled school out of 5: lonely at the second stage (as design_toolbox)
counts <- table(d$dnum)
single <- as.numeric(names(counts)[counts == 1][1])
d$fpc2_lonely <- d$fpc2
d$fpc2_lonely[d$dnum == single] <- 5

designs <- list(
  fpc = function() svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = d),
  pw = function() svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = d),
  strata_fractions = function() svydesign(id = ~dnum + snum, strata = ~half, fpc = ~frac1 + frac2,
                                          weights = ~pw, data = d),
  lonely_remove = function() svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2_lonely, weights = ~pw,
                                       data = d)
)
cases <- list(
  list(design = "fpc", y = "api00", by = "stype", within = ""),
  list(design = "pw", y = "api00", by = "stype", within = ""),
  list(design = "pw", y = "yes", by = "stype", within = ""),
  list(design = "strata_fractions", y = "api00", by = "awards", within = ""),
  list(design = "strata_fractions", y = "ell", by = "stype", within = "awards"),
  list(design = "lonely_remove", y = "api00", by = "stype", within = "")
)
rows <- list()
for (cs in cases) {
  if (cs$design == "lonely_remove") options(survey.lonely.psu = "remove")
  des <- designs[[cs$design]]()
  groups <- c(if (nzchar(cs$within)) cs$within, cs$by)
  b <- svyby(as.formula(paste0("~", cs$y)), as.formula(paste0("~", paste(groups, collapse = "+"))),
             des, svymean, covmat = TRUE)
  keys <- rownames(b)
  for (i in seq_len(nrow(b) - 1)) for (j in (i + 1):nrow(b)) {
    if (nzchar(cs$within) && b[[cs$within]][i] != b[[cs$within]][j]) next
    w <- setNames(rep(0, nrow(b)), keys)
    w[i] <- -1; w[j] <- 1
    ct <- svycontrast(b, w)
    rows[[length(rows) + 1]] <- data.frame(
      design = cs$design, y = cs$y, by = cs$by, within = cs$within,
      within_value = if (nzchar(cs$within)) as.character(b[[cs$within]][i]) else "",
      first = as.character(b[[cs$by]][i]), second = as.character(b[[cs$by]][j]),
      difference = sprintf("%.17g", coef(ct)), se = sprintf("%.17g", SE(ct)),
      df = degf(des), lonely_dnum = if (cs$design == "lonely_remove") single else NA)
  }
  options(survey.lonely.psu = "fail")
}
write.csv(do.call(rbind, rows), "two_stage_oracles.csv", row.names = FALSE, na = "")
