# R oracles for chisq_test on designs with rows of weight zero, as survey 4.5 computes them.
#
# Run in this folder: Rscript make_oracles.R   (writes data.csv and oracles.csv)
#
# survey 4.5's svychisq.survey.design (R/surveychisq.R) takes the design degrees of freedom
# as nu <- degf(design): PSUs minus strata among the rows of nonzero weight.  survey 4.1.1,
# installed here, counts every PSU and stratum (length(unique(design$cluster[,1])) -
# length(unique(design$strata[,1]))), so the two differ when a PSU or a stratum holds only
# rows of weight zero.  Everything else in the function is the same in both versions for
# these designs (N = every row of the design; the table's levels from every row).  The script
# makes survey 4.5's version by replacing that one line of 4.1.1's function, checks that the
# line was found, and records both versions' results.
suppressMessages(library(survey))
set.seed(20261206)

cd <- read.csv("../compare_domains/data.csv")
d <- cd[, c("h", "psu", "w", "g", "a", "m2", "b")]
d$w_zero <- d$w
d$w_zero[sample(nrow(d), 60)] <- 0            # scattered rows of weight zero
d$w_zero[d$psu == 7] <- 0                     # a PSU with weight zero only
d$w_stratum <- d$w_zero
d$w_stratum[d$h == 4] <- 0                    # a whole stratum of weight zero
d$w_rows <- d$w
d$w_rows[sample(nrow(d), 40)] <- 0            # zero-weight rows only: every PSU keeps weight
write.csv(d, "data.csv", row.names = FALSE)

original <- survey:::svychisq.survey.design
text <- deparse(original)
old_nu <- grep("nu <- length(unique(design$cluster[, 1])) - length(unique(design$strata[, ",
               text, fixed = TRUE)
stopifnot(length(old_nu) == 1)
text[old_nu] <- "    nu <- degf(design)"
text <- text[-(old_nu + 1)]                   # the deparsed line continues on the next one
stopifnot(!any(grepl("unique(design$strata", text, fixed = TRUE)))
survey_45 <- eval(parse(text = text), envir = asNamespace("survey"))

rows <- list()
for (weights in c("w_zero", "w_stratum", "w_rows")) {
  des <- svydesign(ids = ~psu, strata = ~h, weights = as.formula(paste("~", weights)), data = d)
  for (pair in list(c("g", "a"), c("g", "m2"), c("a", "b"))) {
    f <- as.formula(paste("~", pair[1], "+", pair[2]))
    for (stat in c("F", "Chisq", "Wald", "adjWald")) {
      new <- survey_45(f, des, statistic = stat)
      old <- original(f, des, statistic = stat)
      par <- unname(new$parameter)
      rows[[length(rows) + 1]] <- data.frame(
        weights = weights, row = pair[1], col = pair[2], test = stat,
        statistic = sprintf("%.17g", new$statistic),
        ndf = sprintf("%.17g", if (length(par) == 2) par[1] else NA),
        ddf = sprintf("%.17g", if (length(par) == 2) par[2] else NA),
        p_value = sprintf("%.17g", new$p.value),
        p_value_survey_4.1.1 = sprintf("%.17g", old$p.value),
        degf = degf(des))
    }
  }
}
out <- do.call(rbind, rows)
write.csv(out, "oracles.csv", row.names = FALSE)
print(out[, c("weights", "row", "col", "test", "p_value", "p_value_survey_4.1.1", "degf")])
