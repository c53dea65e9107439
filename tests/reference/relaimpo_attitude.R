# Reference values of tests/test_drivers.py (RELAIMPO_LMG, RELAIMPO_R2, the betasq values),
# computed with R 4.2.2 and relaimpo 2.2.7 on R's built-in `attitude` data.
# Run: Rscript tests/reference/relaimpo_attitude.R   (needs install.packages("relaimpo"))
library(relaimpo)
fit <- lm(rating ~ complaints + privileges + learning + raises + critical + advance,
          data = attitude)
ri <- calc.relimp(fit, type = c("lmg", "betasq"), rela = FALSE)
options(digits = 15)
print(ri@R2)      # RELAIMPO_R2
print(ri@lmg)     # RELAIMPO_LMG, in the order of the drivers
print(ri@betasq)  # std_coef ** 2 in test_regression_matches_statsmodels_by_hand
