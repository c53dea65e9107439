# Reference values for the reliability tests in tests/test_survey_compare.py.
# Run: Rscript tests/reference/psych_alpha.R  (R 4.2, psych from Debian r-cran-psych)
library(psych)
x <- data.frame(
 i1=c(4,5,3,4,2,5,4,3,4,5,2,3,4,4,5),
 i2=c(4,4,3,5,2,5,3,3,4,4,1,3,5,4,5),
 i3=c(3,5,2,4,3,4,4,2,3,5,2,2,4,3,4),
 i4=c(5,4,3,4,1,5,4,4,5,4,2,3,3,4,5))
options(digits=15)
a <- alpha(x)
print(a$total)
print(a$alpha.drop)
print(a$item.stats)
print(a$feldt)
print(a$feldt$lower.ci, digits=15); print(a$feldt$upper.ci, digits=15)
