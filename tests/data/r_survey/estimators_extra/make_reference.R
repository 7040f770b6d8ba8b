## Reference values for gpcollab's estimate_quantile / estimate_ratio / estimate_var /
## compare_means (R svyquantile, svyratio, svyvar, svyttest), written to reference.csv.
##   cd tests/data/r_survey/estimators_extra && Rscript make_reference.R
## Data: the R survey agreement suite's copies in ../../r_survey_suite/data (api samples).
## Produced with R survey 4.1-1 (Debian r-cran-survey); these four functions give the same
## values in survey 4.5 on the suite's cases (unsupported/svyquantile, svyratio, svyvar,
## svyttest agree in both reference files).
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail")
DATA <- "../../r_survey_suite/data"
LEVELS <- read.csv(file.path(DATA, "levels.csv"), stringsAsFactors = FALSE)
load_csv <- function(name) {
  d <- read.csv(file.path(DATA, paste0(name, ".csv")), stringsAsFactors = FALSE, check.names = FALSE)
  lv <- LEVELS[LEVELS$dataset == name, ]
  for (i in seq_len(nrow(lv)))
    d[[lv$column[i]]] <- factor(as.character(d[[lv$column[i]]]), levels = strsplit(lv$levels[i], "|", fixed = TRUE)[[1]])
  d
}
apisrs <- load_csv("apisrs"); apistrat <- load_csv("apistrat"); apiclus1 <- load_csv("apiclus1")
D <- list(
  srs = svydesign(id = ~1, weights = ~pw, fpc = ~fpc, data = apisrs),
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
  clus1 = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
)
D$clus1_ps <- postStratify(D$clus1, ~stype, data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018)))

ROWS <- list()
out <- function(case, v) {
  ROWS[[length(ROWS) + 1]] <<- data.frame(case = case, qty = names(v), value = sprintf("%.17g", unname(v)))
}
sub <- function(d, s) d[d$variables$stype == s, ]

## ---- svyquantile: estimate, Woodruff interval, SE, df
kq <- function(d, v, p, ..., na.rm = FALSE, df = NULL) {
  q <- svyquantile(as.formula(paste0("~", v)), d, p, ci = TRUE, na.rm = na.rm, df = df, ...)
  r <- q[[1]]
  dd <- if (na.rm) d[!is.na(d$variables[[v]]), ] else d
  c(est = r[1, 1], ci_l = r[1, 2], ci_u = r[1, 3], se = r[1, 4], df = if (is.null(df)) degf(dd) else df)
}
for (dn in c("srs", "strat", "clus1", "clus1_ps")) for (p in c(0.1, 0.25, 0.5, 0.75, 0.9))
  out(sprintf("quantile/%s/api00/%s/mean/math", dn, p), kq(D[[dn]], "api00", p))
for (it in c("beta", "xlogit", "asin")) for (dn in c("strat", "clus1"))
  out(sprintf("quantile/%s/enroll/0.5/%s/math", dn, it), kq(D[[dn]], "enroll", 0.5, interval.type = it))
for (qr in c("school", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9", "shahvaish"))
  for (p in c(0.25, 0.5)) {
    out(sprintf("quantile/clus1/api00/%s/mean/%s", p, qr), kq(D$clus1, "api00", p, qrule = qr))
    out(sprintf("quantile/srs/ell/%s/mean/%s", p, qr), kq(D$srs, "ell", p, qrule = qr))
  }
out("quantile/clus1/api00/0.5/mean/math/dfinf", kq(D$clus1, "api00", 0.5, df = Inf))
out("quantile/clus1/api99_na/0.5/mean/math/narm", kq(D$clus1, "api99_na", 0.5, na.rm = TRUE))
for (s in c("E", "H", "M")) {
  out(sprintf("quantile_by/clus1/api00/0.5/mean/math/%s", s), kq(sub(D$clus1, s), "api00", 0.5))
  out(sprintf("quantile_by/strat/api00/0.5/mean/math/%s", s), kq(sub(D$strat, s), "api00", 0.5))
  out(sprintf("quantile_by/clus1_ps/api00/0.5/mean/math/%s", s), kq(sub(D$clus1_ps, s), "api00", 0.5))
  out(sprintf("quantile_by/strat/enroll/0.75/beta/math/%s", s), kq(sub(D$strat, s), "enroll", 0.75, interval.type = "beta"))
}

## ---- svyratio
kr <- function(d, num, den, na.rm = FALSE) {
  r <- svyratio(as.formula(paste0("~", num)), as.formula(paste0("~", den)), d, na.rm = na.rm)
  dd <- if (na.rm) d[!is.na(d$variables[[num]]) & !is.na(d$variables[[den]]), ] else d
  c(est = unname(coef(r))[1], se = unname(SE(r))[1], df = degf(dd))
}
for (dn in c("srs", "strat", "clus1", "clus1_ps")) {
  out(sprintf("ratio/%s/api.stu/enroll", dn), kr(D[[dn]], "api.stu", "enroll"))
  for (s in c("E", "H", "M")) out(sprintf("ratio_by/%s/api.stu/enroll/%s", dn, s), kr(sub(D[[dn]], s), "api.stu", "enroll"))
}
out("ratio/clus1/api99_na/api00/narm", kr(D$clus1, "api99_na", "api00", na.rm = TRUE))
for (s in c("E", "H", "M")) out(sprintf("ratio_by/clus1/api99_na/api00/narm/%s", s), kr(sub(D$clus1, s), "api99_na", "api00", na.rm = TRUE))

## ---- svyvar
kv <- function(d, v, na.rm = FALSE) {
  r <- svyvar(as.formula(paste0("~", v)), d, na.rm = na.rm)
  dd <- if (na.rm) d[!is.na(d$variables[[v]]), ] else d
  c(est = unname(coef(r))[1], se = unname(SE(r))[1], df = degf(dd))
}
for (dn in c("srs", "strat", "clus1", "clus1_ps")) {
  out(sprintf("var/%s/api00", dn), kv(D[[dn]], "api00"))
  for (s in c("E", "H", "M")) out(sprintf("var_by/%s/api00/%s", dn, s), kv(sub(D[[dn]], s), "api00"))
}
out("var/clus1/api99_na/narm", kv(D$clus1, "api99_na", na.rm = TRUE))
for (s in c("E", "H", "M")) out(sprintf("var_by/clus1/api99_na/narm/%s", s), kv(sub(D$clus1, s), "api99_na", na.rm = TRUE))

## ---- svyttest (two groups)
kt <- function(d, y, g) {
  t <- svyttest(as.formula(paste0(y, "~", g)), d)
  c(estimate = unname(t$estimate), se = unname(t$estimate / t$statistic), t = unname(t$statistic),
    df = unname(t$parameter), p = unname(t$p.value), ci_l = t$conf.int[1], ci_u = t$conf.int[2])
}
for (dn in c("srs", "strat", "clus1", "clus1_ps")) {
  out(sprintf("ttest/%s/enroll/comp.imp", dn), kt(D[[dn]], "enroll", "comp.imp"))
  out(sprintf("ttest/%s/api00/sch.wide", dn), kt(D[[dn]], "api00", "sch.wide"))
}
for (s in c("E", "M")) out(sprintf("ttest_by/clus1/api00/comp.imp/%s", s), kt(sub(D$clus1, s), "api00", "comp.imp"))
out("ttest/clus1/api99_na/comp.imp", kt(D$clus1, "api99_na", "comp.imp"))

## ---- missing values as a domain, and svyciprop's beta rule (issue 9 items 5, 7, 8)
na_clus1 <- apiclus1
na_clus1$comp_na <- na_clus1$comp.imp
na_clus1$comp_na[na_clus1$dnum %in% c(637, 716)] <- NA   # two whole PSUs lose their value
na_clus1$sw_na <- as.numeric(na_clus1$sch.wide == "Yes")
na_clus1$sw_na[c(3, 10, 50)] <- NA
na_clus1$ell_na <- na_clus1$ell
na_clus1$ell_na[na_clus1$dnum == 716 | seq_len(nrow(na_clus1)) %in% c(7, 8)] <- NA
na_clus1$pw0 <- na_clus1$pw
na_clus1$pw0[c(5, 6)] <- 0                                # zero weights count in nrow()
dna <- svydesign(id = ~dnum, weights = ~pw0, fpc = ~fpc, data = na_clus1)
for (m in c("beta", "logit", "mean")) {
  r <- svyciprop(~sw_na, dna, method = m, na.rm = TRUE)
  out(sprintf("ciprop_na/clus1/sw_na/%s", m), c(est = unname(coef(r)), se = unname(SE(r)), ci_l = confint(r)[1], ci_u = confint(r)[2], df = degf(dna)))
  r <- svyciprop(~sw_na, dna, method = m, na.rm = TRUE, df = Inf)
  out(sprintf("ciprop_na/clus1/sw_na/%s/dfinf", m), c(est = unname(coef(r)), se = unname(SE(r)), ci_l = confint(r)[1], ci_u = confint(r)[2]))
}
t <- svychisq(~sch.wide + comp_na, dna, statistic = "F")
w <- svychisq(~sch.wide + comp_na, dna, statistic = "Wald")
out("chisq_na/clus1/schwide_compna", c(F_stat = unname(t$statistic), F_ndf = unname(t$parameter[1]), F_ddf = unname(t$parameter[2]), F_p = unname(t$p.value),
                                       Wald_stat = unname(w$statistic), Wald_ndf = unname(w$parameter[1]), Wald_ddf = unname(w$parameter[2]), Wald_p = unname(w$p.value)))
g <- svyglm(sch.wide ~ ell_na + meals + mobility, design = dna, family = quasibinomial())
s <- summary(g)$coefficients
out("glm_na/clus1/schwide_ellna_meals_mobility", c(setNames(s[, 1], paste0("coef[", rownames(s), "]")), setNames(s[, 2], paste0("se[", rownames(s), "]")), df_resid = g$df.residual))

res <- do.call(rbind, ROWS)
write.csv(res, "reference.csv", row.names = FALSE)
cat(length(unique(res$case)), "cases,", nrow(res), "values\n")
