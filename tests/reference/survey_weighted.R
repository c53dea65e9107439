# Reference values for tests/test_survey.py, computed with R's survey package.
# Run: Rscript tests/reference/survey_weighted.R
library(survey)
s <- c(10, 9, 8, 7, 6, 0, 10, 3, 9, 5, 9, 2)
w <- c(1, 2, 1, 1, 2, 1, 0.5, 1, 1.5, 1, 3, 0.7)
g <- c("a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "b")
d <- data.frame(s = s, w = w, g = g,
                y = ifelse(s >= 9, 100, ifelse(s <= 6, -100, 0)),
                top2 = 100 * (s >= 9))
des <- svydesign(ids = ~1, weights = ~w, data = d)
options(digits = 15)
m <- svymean(~y, des); print(coef(m)); print(SE(m)); print(confint(m, df = degf(des)))
b <- svyby(~y, ~g, des, svymean); print(b); print(confint(b, df = degf(des)))
print(svymean(~s, des)); print(svyby(~s, ~g, des, svymean))
print(svyvar(~s, des)); print(svyby(~s, ~g, des, svyvar))
print(svymean(~top2, des))
u <- svydesign(ids = ~1, weights = ~1, data = transform(d, one = 1))
print(svymean(~y, svydesign(ids = ~1, data = d)))
