## R oracles for gpcollab's survey_glm, calibrate (GREG), two-stage designs and svytable.
##
##   cd tests/data/design_toolbox && Rscript make_reference.R
##
## Reads the R survey agreement suite's data (../r_survey_suite/data, doubles written as %.17g,
## factor levels from levels.csv) and writes reference.csv: case, qty, value (%.17g).
## Made with Debian's survey 4.1-1; the features used here (svyglm, summary.svyglm's
## dispersion, regTermTest, calibrate with calfun="linear" with and without bounds, the
## multistage variance of svyrecvar, svytable) are unchanged in survey 4.5 for these calls: the
## suite's survey 4.5 reference (../r_survey_suite/reference/survey_4.5.csv) agrees with them
## on its cases unsupported/svyglm_*, unsupported/calibrate_*, unsupported/multistage_dclus2 and
## unsupported/svytable, which the tests check too.
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail")
DATA <- "../r_survey_suite/data"
LEVELS <- read.csv(file.path(DATA, "levels.csv"), stringsAsFactors = FALSE)
load_csv <- function(name) {
  d <- read.csv(file.path(DATA, paste0(name, ".csv")), stringsAsFactors = FALSE,
                check.names = FALSE, encoding = "UTF-8")
  lv <- LEVELS[LEVELS$dataset == name, ]
  for (i in seq_len(nrow(lv)))
    d[[lv$column[i]]] <- factor(as.character(d[[lv$column[i]]]),
                                levels = strsplit(lv$levels[i], "|", fixed = TRUE)[[1]])
  d
}
ROWS <- list()
put <- function(id, v) {
  ROWS[[length(ROWS) + 1]] <<- data.frame(case = id, qty = names(v),
                                          value = sprintf("%.17g", unname(as.numeric(v))))
}
k_glm <- function(m, tests = character()) {
  s <- summary(m)
  cf <- s$coefficients
  out <- c()
  for (i in rownames(cf)) {
    out[paste0("coef[", i, "]")] <- cf[i, 1]; out[paste0("se[", i, "]")] <- cf[i, 2]
    out[paste0("t[", i, "]")] <- cf[i, 3]; out[paste0("p[", i, "]")] <- cf[i, 4]
  }
  ci <- confint(m, ddf = m$df.residual)
  for (i in rownames(cf)) { out[paste0("ci_l[", i, "]")] <- ci[i, 1]; out[paste0("ci_u[", i, "]")] <- ci[i, 2] }
  out["df_resid"] <- m$df.residual
  out["dispersion"] <- as.numeric(s$dispersion)
  for (tt in tests) {
    r <- regTermTest(m, as.formula(paste0("~", tt)))
    out[paste0("F[", tt, "]")] <- unname(r$Ftest); out[paste0("ndf[", tt, "]")] <- unname(r$df)
    out[paste0("ddf[", tt, "]")] <- unname(r$ddf); out[paste0("Fp[", tt, "]")] <- unname(r$p)
  }
  out
}
k_stat <- function(s, prefix) {
  out <- c(unname(coef(s)), unname(SE(s)))
  names(out) <- c(paste0(prefix, "est[", names(coef(s)), "]"), paste0(prefix, "se[", names(coef(s)), "]"))
  out
}

apistrat <- load_csv("apistrat"); apiclus1 <- load_csv("apiclus1"); apiclus2 <- load_csv("apiclus2")
scd <- load_csv("scd")
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dscd <- svydesign(id = ~ambulance, strata = ~ESA, weights = ~one, data = scd, nest = TRUE)

## ---------------------------------------------------------------- svyglm families
put("glm/gaussian_strat", k_glm(svyglm(api00 ~ ell + meals + mobility, design = dstrat), c("ell", "meals")))
put("glm/gaussian_clus1_factor", k_glm(svyglm(api00 ~ stype + ell, design = dclus1), c("stype", "ell")))
put("glm/gaussian_clus1_narm", k_glm(svyglm(target ~ stype + meals, design = dclus1), c("stype")))
put("glm/quasipoisson_clus1", k_glm(svyglm(enroll ~ stype + meals, design = dclus1, family = quasipoisson()), c("stype")))
put("glm/poisson_strat", suppressWarnings(k_glm(svyglm(api.stu ~ ell + yr.rnd, design = dstrat, family = poisson()), c("yr.rnd"))))
put("glm/binomial_counts_scd_intercept", k_glm(svyglm(cbind(alive, arrests - alive) ~ 1, design = dscd, family = quasibinomial)))
scd$dead <- scd$arrests - scd$alive
scd$prop <- scd$alive / scd$arrests
scd$esa_f <- factor(scd$ESA)
dscd2 <- svydesign(id = ~ambulance, strata = ~ESA, weights = ~one, data = scd, nest = TRUE)
put("glm/binomial_counts_scd_ambulance", k_glm(svyglm(cbind(alive, dead) ~ ambulance, design = dscd2, family = quasibinomial), c("ambulance")))
put("glm/binomial_prop_weights_scd", k_glm(svyglm(prop ~ ambulance, weights = arrests, design = dscd2, family = quasibinomial), c("ambulance")))
apiclus1$pass <- apiclus1$api00 / 1000
apiclus1$tested <- apiclus1$api.stu
dclus1b <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
put("glm/binomial_prop_weights_clus1", suppressWarnings(k_glm(svyglm(pass ~ stype + ell, weights = tested, design = dclus1b, family = binomial), c("stype"))))

## ---------------------------------------------------------------- calibrate(), calfun = "linear"
k_weights <- function(d) { w <- weights(d); setNames(w, paste0("w[", seq_along(w), "]")) }
k_on <- function(d) {
  m <- svymean(~api00, d); t <- svytotal(~enroll, d, na.rm = TRUE); p <- svymean(~comp.imp, d)
  b <- svyby(~api00, ~awards, d, svymean); bt <- svyby(~api00, ~stype, d, svytotal)
  g <- svyglm(api00 ~ ell + sch.wide, design = d)
  c(k_weights(d), mean_api00_est = coef(m)[[1]], mean_api00_se = SE(m)[[1]],
    total_enroll_est = coef(t)[[1]], total_enroll_se = SE(t)[[1]],
    k_stat(p, "compimp_"),
    setNames(coef(b), paste0("by_awards_est[", names(coef(b)), "]")),
    setNames(SE(b), paste0("by_awards_se[", names(coef(b)), "]")),
    setNames(coef(bt), paste0("total_by_stype_est[", names(coef(bt)), "]")),
    setNames(SE(bt), paste0("total_by_stype_se[", names(coef(bt)), "]")),
    k_glm(g, c("sch.wide")))
}
pop3 <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, sch.wideYes = 5122, api99 = 3914069)
put("greg/clus1_three_margins", k_on(calibrate(dclus1, ~stype + sch.wide + api99, pop3)))
put("greg/clus1_bounded", k_on(calibrate(dclus1, ~stype + sch.wide + api99, pop3, bounds = c(0.5, 1.6))))
## bounds R cannot meet: calibrate() stops with "Calibration failed"
failed <- tryCatch({ calibrate(dclus1, ~stype + sch.wide + api99, pop3, bounds = c(0.8, 1.2)); 0 },
                   error = function(e) 1, warning = function(w) 1)
put("greg/clus1_bounds_unmet", c(error = failed))
put("greg/clus1_api99_intercept", k_on(calibrate(dclus1, ~api99, c(`(Intercept)` = 6194, api99 = 3914069))))
put("greg/strat_api99_only", k_on(calibrate(dstrat, ~api99 - 1, c(api99 = 3914069))))

## ---------------------------------------------------------------- two-stage designs (svyrecvar multistage)
k_two <- function(d) {
  m <- svymean(~api00, d); t <- svytotal(~enroll, d, na.rm = TRUE); p <- svymean(~comp.imp, d)
  b <- svyby(~api00, ~stype, d, svymean); bt <- svyby(~api00, ~stype, d, svytotal)
  g <- svyglm(api00 ~ ell + meals, design = d)
  c(k_weights(d), mean_api00_est = coef(m)[[1]], mean_api00_se = SE(m)[[1]],
    total_enroll_est = coef(t)[[1]], total_enroll_se = SE(t)[[1]],
    k_stat(p, "compimp_"),
    setNames(coef(b), paste0("by_stype_est[", names(coef(b)), "]")),
    setNames(SE(b), paste0("by_stype_se[", names(coef(b)), "]")),
    setNames(coef(bt), paste0("total_by_stype_est[", names(coef(bt)), "]")),
    setNames(SE(bt), paste0("total_by_stype_se[", names(coef(bt)), "]")),
    k_glm(g))
}
put("twostage/dclus2_fpc_weights", k_two(svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)))
put("twostage/dclus2_pw", k_two(svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = apiclus2)))
apiclus2$half <- ifelse(apiclus2$dnum < 400, "low", "high")
apiclus2$frac1 <- 40 / 757
apiclus2$frac2 <- 1 / (apiclus2$pw / (757 / 40))  # the second-stage sampling fraction n2/N2
put("twostage/dclus2_strata_fractions", k_two(svydesign(id = ~dnum + snum, strata = ~half, fpc = ~frac1 + frac2, weights = ~pw, data = apiclus2)))
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
r <- svyratio(~api00, ~api99, dclus2); v <- svyvar(~api00, dclus2)
x <- svychisq(~sch.wide + stype, dclus2, statistic = "F")
put("twostage/dclus2_ratio_var_chisq", c(ratio_est = coef(r)[[1]], ratio_se = SE(r)[[1]],
    var_est = coef(v)[[1]], var_se = SE(v)[[1]], F_stat = unname(x$statistic),
    F_ndf = unname(x$parameter[1]), F_ddf = unname(x$parameter[2]), F_p = unname(x$p.value)))
## a PSU with one sampled school out of 5: lonely at the second stage
lone <- apiclus2
single <- names(which(table(lone$dnum) == 1))[1]
lone$fpc2[lone$dnum == as.numeric(single)] <- 5
lone$lonely_dnum <- as.numeric(single)
old <- options(survey.lonely.psu = "remove")
put("twostage/dclus2_lonely_remove", c(k_two(svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = lone)), lonely_dnum = as.numeric(single)))
options(old)

## ---------------------------------------------------------------- svytable (tidy: one value per cell)
k_table <- function(tbl) {
  df <- as.data.frame(tbl, stringsAsFactors = FALSE)
  key <- do.call(paste, c(df[, -ncol(df), drop = FALSE], sep = "."))
  setNames(df[[ncol(df)]], paste0("cell[", key, "]"))
}
put("table/clus1_schwide_stype", k_table(svytable(~sch.wide + stype, dclus1)))
put("table/clus1_percent", k_table(svytable(~sch.wide + stype, dclus1, Ntotal = 100)))
put("table/clus1_three_way_round", k_table(svytable(~stype + awards + yr.rnd, dclus1, Ntotal = 6194, round = TRUE)))
put("table/strat_by_stratum_totals", k_table(svytable(~sch.wide + comp.imp, dstrat,
    Ntotal = data.frame(stype = c("E", "H", "M"), N = c(4421, 755, 1018)))))
put("table/strat_unweighted_design_total", k_table(svytable(~awards, dstrat, Ntotal = 1)))

write.csv(do.call(rbind, ROWS), "reference.csv", row.names = FALSE)
cat(length(ROWS), "cases\n")
