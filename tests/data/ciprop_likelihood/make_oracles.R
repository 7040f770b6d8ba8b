# R oracles for estimate_proportions(ci_method="likelihood"): svyciprop(method="likelihood"),
# the Rao-Scott scaled profile-likelihood interval of confint.svyglm(method="likelihood").
#
# Run in this folder: Rscript make_oracles.R   (writes oracles.csv)
#
# Written with the survey 4.1.1 installed here; svyciprop's "likelihood" method is the same in
# survey 4.5 (the shared suite's unsupported/ciprop_likelihood agrees between the two versions
# to 1e-15).  Designs on the survey package's api data (../r_survey_suite/data): stratified
# with weights, one-stage clusters with weights and fpc, the same post-stratified to stype,
# and an unweighted SRS; whole-sample and per-domain (svyciprop on subset(), as svyby does),
# at 95% and 90%, with the design df and with df=Inf.
suppressMessages(library(survey))
apistrat <- read.csv("../r_survey_suite/data/apistrat.csv")
apiclus1 <- read.csv("../r_survey_suite/data/apiclus1.csv")
for (nm in c("apistrat", "apiclus1")) {
  d <- get(nm)
  d$yes <- as.numeric(d$sch.wide == "Yes")
  d$awards_yes <- as.numeric(d$awards == "Yes")
  d$ell_low <- as.numeric(d$ell < 10)
  assign(nm, d)
}
designs <- list(
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
  clus1 = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
  clus1_ps = postStratify(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
                          ~stype, data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))),
  srs = svydesign(id = ~1, data = apistrat)
)
rows <- list()
add <- function(design, y, domain, level, dfname, r) {
  ci <- confint(r)
  rows[[length(rows) + 1]] <<- data.frame(design = design, y = y, domain = domain, level = level,
    df = dfname, estimate = sprintf("%.17g", coef(r)), ci_low = sprintf("%.17g", ci[1]),
    ci_high = sprintf("%.17g", ci[2]))
}
for (dn in names(designs)) {
  des <- designs[[dn]]
  for (y in c("yes", "awards_yes", "ell_low")) {
    f <- as.formula(paste0("~", y))
    for (level in c(0.95, 0.9)) {
      add(dn, y, "all", level, "design", svyciprop(f, des, method = "likelihood", level = level))
      add(dn, y, "all", level, "inf", svyciprop(f, des, method = "likelihood", level = level, df = Inf))
      for (s in c("E", "H", "M")) {
        sub <- subset(des, stype == s)
        add(dn, y, s, level, "design", svyciprop(f, sub, method = "likelihood", level = level))
      }
    }
  }
}
write.csv(do.call(rbind, rows), "oracles.csv", row.names = FALSE)
