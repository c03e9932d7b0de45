"""Models behind the ml schema: segments, credit risk, churn."""
