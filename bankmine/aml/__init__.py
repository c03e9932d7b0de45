"""Money-laundering monitoring logic behind the ml schema: the anomaly score."""
