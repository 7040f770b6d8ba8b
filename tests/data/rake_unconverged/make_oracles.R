# R oracles for SurveyDesign(calibration_weights=...): the variance R gives a design whose
# raking stopped before convergence.
#
# Run in this folder: Rscript make_oracles.R   (writes oracles.csv)
#
# Data: ../compare_domains/data.csv (18 PSUs in 4 strata, weights w).  rake() to the margins
# g, m2 and a with control=list(maxit=2, epsilon=1e-12): R stops after two sweeps, unconverged
# (it warns), under either version's stopping rule, so survey 4.1.1 (installed here) and 4.5
# give the same weights; the raking variance (svyrecvar: 10 backfitting sweeps, each margin
# with the weights its own postStratify step left) is the same code in both.  Written: the
# weights, and estimates with SEs (mean, total, domain means by a, proportions of g by m2).
suppressMessages(library(survey))
d <- read.csv("../compare_domains/data.csv")
base <- svydesign(ids = ~psu, strata = ~h, weights = ~w, data = d)
pop_g <- data.frame(g = c("large", "medium", "small"), Freq = c(300, 420, 280))
pop_m2 <- data.frame(m2 = c("north", "south"), Freq = c(480, 520))
pop_a <- data.frame(a = c("access", "quality"), Freq = c(550, 450))
raked <- suppressWarnings(rake(base, list(~g, ~m2, ~a), list(pop_g, pop_m2, pop_a),
                               control = list(maxit = 2, epsilon = 1e-12)))
out <- c(setNames(weights(raked), paste0("w[", seq_len(nrow(d)), "]")))
m <- svymean(~y, raked); t <- svytotal(~y, raked)
out <- c(out, mean_est = coef(m)[[1]], mean_se = SE(m)[[1]], total_est = coef(t)[[1]],
         total_se = SE(t)[[1]])
b <- svyby(~y, ~a, raked, svymean)
out <- c(out, setNames(coef(b), paste0("by_a_est[", names(coef(b)), "]")),
         setNames(SE(b), paste0("by_a_se[", names(coef(b)), "]")))
p <- svyby(~g, ~m2, raked, svymean)
cf <- coef(p)
out <- c(out, setNames(cf, paste0("prop_est[", names(cf), "]")),
         setNames(as.vector(as.matrix(SE(p))), paste0("prop_se[", names(cf), "]")))
write.csv(data.frame(qty = names(out), value = sprintf("%.17g", out)), "oracles.csv", row.names = FALSE)
