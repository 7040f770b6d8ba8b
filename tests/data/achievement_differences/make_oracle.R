# Oracle for gpcollab.achievement_differences: R survey's svyby(covmat = TRUE) + svycontrast.
# Reads respondents.csv (from make_data.py), writes oracle.csv: for each aim and pair of size
# bands, the difference in the share fully achieving the aim (second minus first) among
# respondents who set it with a substantive outcome ("too early" and blanks out of the base),
# its SE, both shares and the design df. The base is a domain: the respondents outside it
# form a group of their own ("out"), whose estimate is not used, so they stay in the design
# (svyby's na.rm = TRUE with covmat = TRUE stops in survey 4.1.1).
# Run: Rscript make_oracle.R
suppressMessages(library(survey))
d <- read.csv("respondents.csv", stringsAsFactors = FALSE, na.strings = character(0))
des0 <- svydesign(ids = ~ccg_code, strata = ~region, weights = ~weight, data = d)
out <- list()
for (aim in c("access", "staff")) {
  outcome <- d[[aim]]
  inbase <- outcome %in% c("fully", "partially", "not_achieved")
  band <- ifelse(inbase, d$size_band, "out")
  des <- update(des0, y = as.numeric(outcome == "fully"), band = band)
  est <- svyby(~y, ~band, des, svymean, covmat = TRUE)
  k <- nrow(est)
  kept <- which(est$band != "out")
  for (i in kept) for (j in kept[kept > i]) {
    w <- rep(0, k); w[i] <- -1; w[j] <- 1
    con <- svycontrast(est, w)
    out[[length(out) + 1]] <- data.frame(
      aim = aim,
      size_band_first = as.character(est$band[i]),
      size_band_second = as.character(est$band[j]),
      difference = sprintf("%.17g", as.numeric(coef(con))),
      se = sprintf("%.17g", as.numeric(SE(con))),
      estimate_first = sprintf("%.17g", est$y[i]),
      estimate_second = sprintf("%.17g", est$y[j]),
      df = degf(des0)
    )
  }
}
write.csv(do.call(rbind, out), "oracle.csv", row.names = FALSE)
cat(sprintf("R %s, survey %s\n", getRversion(), packageVersion("survey")))
