# Extra reference values for gpcollab's significance.py / regression.py tests.
# Run from this folder with: Rscript make_reference.R > make_reference.Rout
# Computed with Debian bookworm R (4.2.2) and r-cran-survey 4.1-1. Outputs: the CSV files next to this script.
suppressPackageStartupMessages(library(survey))
options(digits = 15)
out <- function(df, file) write.csv(df, file, row.names = FALSE)

gp <- read.csv("../gp_like_design.csv", stringsAsFactors = FALSE)
gp$size_band <- factor(gp$size_band, levels = c("<30k", "30-50k", "50-100k", "100-250k", ">250k"))
gp$age_band <- factor(gp$age_band, levels = c("<1y", "1-2y", ">2y"))
gp$funded <- factor(gp$funded)
dgp <- svydesign(ids = ~ccg, strata = ~region, weights = ~weight, data = gp)

chi <- function(f, d, label) {
  rows <- lapply(c("F", "Chisq", "Wald", "adjWald"), function(s) {
    r <- svychisq(f, d, statistic = s)
    par <- r$parameter
    data.frame(case = label, statistic = s, value = unname(r$statistic),
               ndf = if (length(par) == 2) unname(par[1]) else NA,
               ddf = if (length(par) == 2) unname(par[2]) else NA,
               df = if (length(par) == 1) unname(par[1]) else NA,
               p_value = unname(r$p.value))
  })
  do.call(rbind, rows)
}

# mtcars: unweighted SRS; am x gear has an empty cell (am = 1, gear = 3)
mt <- mtcars
mt$amf <- factor(mt$am); mt$gearf <- factor(mt$gear); mt$vsf <- factor(mt$vs)
dmt <- svydesign(ids = ~0, weights = NULL, data = mt)
chis <- rbind(chi(~size_band + fully, dgp, "gp_like size_band x fully"),
              chi(~amf + gearf, dmt, "mtcars am x gear"),
              chi(~amf + vsf, dmt, "mtcars am x vs"))
pe <- suppressWarnings(chisq.test(table(mt$am, mt$gear), correct = FALSE))
chis <- rbind(chis, data.frame(case = "mtcars am x gear", statistic = "Pearson",
  value = unname(pe$statistic), ndf = NA, ddf = NA, df = unname(pe$parameter), p_value = pe$p.value))
print(chis)
out(chis, "chisq_extra.csv")

# gp_like logistic regression: full coefficient table, confint, regTermTest
g <- svyglm(fully ~ size_band + age_band + funded, dgp, family = quasibinomial())
ct <- coef(summary(g))
ci <- confint(g, ddf = g$df.residual)
coefs <- data.frame(term = rownames(ct), estimate = ct[, 1], se = ct[, 2], t = ct[, 3],
                    p_value = ct[, 4], df = g$df.residual, ci_low = ci[, 1], ci_high = ci[, 2])
print(coefs)
out(coefs, "logit_gp_like_full.csv")
tt <- do.call(rbind, lapply(c("size_band", "age_band", "funded"), function(v) {
  r <- regTermTest(g, as.formula(paste("~", v)))
  data.frame(term = v, F = unname(r$Ftest), ndf = r$df, ddf = r$ddf, p_value = unname(r$p))
}))
print(tt)
out(tt, "logit_gp_like_term_tests.csv")

# Trend tests: slope of svyglm(y ~ integer score) on quasibinomial
toy <- data.frame(
  achieved = c(1,0,0,1,0,0,1,0,0,0, 1,1,0,1,0,0,1,0,1,0, 1,1,1,0,1,1,1,0,1,1),
  size = factor(rep(c("small", "medium", "large"), each = 10), levels = c("small", "medium", "large")),
  w = rep(c(1.2,0.8,1.5,1.0,2.0,0.5,1.1,0.9,1.3,1.7), 3))
toy$score <- as.numeric(toy$size) - 1
du <- svydesign(ids = ~1, weights = ~I(rep(1, 30)), data = toy)
dw <- svydesign(ids = ~1, weights = ~w, data = toy)
gp$age_score <- as.numeric(gp$age_band) - 1
dgp <- svydesign(ids = ~ccg, strata = ~region, weights = ~weight, data = gp)
tr <- function(f, d, label) {
  m <- svyglm(f, d, family = quasibinomial())
  s <- coef(summary(m))[2, ]
  ci <- confint(m, ddf = m$df.residual)[2, ]
  data.frame(case = label, slope = s[1], se = s[2], t = s[3], p_value = s[4],
             df = m$df.residual, ci_low = ci[1], ci_high = ci[2])
}
trs <- rbind(tr(achieved ~ score, du, "toy unweighted achieved ~ size"),
             tr(achieved ~ score, dw, "toy weighted achieved ~ size"),
             tr(fully ~ age_score, dgp, "gp_like fully ~ age_band"))
print(trs)
out(trs, "trend_extra.csv")

# Two independent samples stacked as separate strata: svyglm(y ~ sample, gaussian)
api <- new.env(); data(api, envir = api)
st <- read.csv("../api/apistrat.csv"); cl <- read.csv("../api/apiclus1.csv")
stack <- data.frame(
  y = c(st$sch.wide == "Yes", cl$sch.wide == "Yes") * 1,
  sample = factor(rep(c("a", "b"), c(nrow(st), nrow(cl)))),
  stratum = c(paste0("a", st$stype), rep("b", nrow(cl))),
  psu = c(paste0("a", seq_len(nrow(st))), paste0("b", cl$dnum)),
  w = c(st$pw, cl$pw), fpc = c(st$fpc, cl$fpc))
ds <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = stack, nest = TRUE)
toy2 <- data.frame(y = c(toy$achieved, gp$fully),
  sample = factor(rep(c("a", "b"), c(30, nrow(gp)))),
  stratum = c(rep("a", 30), paste0("b", gp$region)),
  psu = c(paste0("a", 1:30), paste0("b", gp$ccg)), w = c(toy$w, gp$weight))
ds2 <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = toy2, nest = TRUE)
cp <- function(d, label) {
  m <- svyglm(y ~ sample, d)
  s <- coef(summary(m))[2, ]
  ci <- confint(m, ddf = m$df.residual)[2, ]
  pa <- svyby(~y, ~sample, d, svymean)
  data.frame(case = label, estimate_a = pa$y[1], se_a = pa$se[1], estimate_b = pa$y[2],
             se_b = pa$se[2], difference = s[1], se = s[2], t = s[3], p_value = s[4],
             df = m$df.residual, ci_low = ci[1], ci_high = ci[2])
}
cps <- rbind(cp(ds, "apistrat (a) vs apiclus1 (b), sch.wide == Yes, with fpc"),
             cp(ds2, "toy weighted (a) vs gp_like (b), achieved / fully"))
print(cps)
out(cps, "compare_proportions_extra.csv")

# Extra apistrat columns for the 5.F model ~ ell + meals + mobility (api data shipped with survey)
data(api)
out(apistrat[, c("cds", "ell", "meals", "mobility")], "apistrat_ell_meals_mobility.csv")
