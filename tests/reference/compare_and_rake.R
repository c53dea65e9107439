# Reference values for tests/test_survey_compare.py. Run: Rscript tests/reference/compare_and_rake.R
library(survey)
options(digits = 15)
# Welch t-test of two groups' means (unweighted).
a <- c(4, 5, 3, 4, 2, 5, 4, 3, 4, 5)
b <- c(2, 3, 3, 1, 4, 2, 3, 2, 5, 2, 3, 1)
print(t.test(a, b, var.equal = FALSE)[c("statistic", "parameter", "p.value")])
# Column-proportion z-test without continuity correction == prop.test(correct = FALSE).
print(prop.test(c(45, 30), c(80, 90), correct = FALSE)$p.value)
# Rim weighting: 12 respondents, two margins.
d <- data.frame(region = c("E","E","E","E","E","N","N","N","S","S","S","S"),
                tier   = c("g","s","s","b","b","g","b","b","s","b","b","b"))
des <- svydesign(ids = ~1, data = d, weights = ~rep(1, 12))
N <- 12
pr <- data.frame(region = c("E","N","S"), Freq = N * c(0.3, 0.3, 0.4))
pt <- data.frame(tier = c("b","s","g"), Freq = N * c(0.5, 0.3, 0.2))
rk <- rake(des, list(~region, ~tier), list(pr, pt), control = list(maxit = 100, epsilon = 1e-10))
w <- weights(rk); print(w / mean(w))
