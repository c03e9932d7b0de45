"""Operations analytics: queueing and staffing."""
