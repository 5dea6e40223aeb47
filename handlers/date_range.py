"""The `?from=&to=` query of Mawid's own range reads (reminder answers, attendance marks, the waitlist)."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, model_validator

MAX_RANGE_DAYS = 366


class DateRange(BaseModel):
    from_date: date = Field(alias="from", description="First appointment date, YYYY-MM-DD")
    to_date: date = Field(alias="to", description="Last appointment date, YYYY-MM-DD")

    @model_validator(mode="after")
    def ordered(self) -> "DateRange":
        if self.to_date < self.from_date:
            raise ValueError("'to' must not be before 'from'")
        if (self.to_date - self.from_date).days > MAX_RANGE_DAYS:
            raise ValueError(f"the range may span at most {MAX_RANGE_DAYS} days")
        return self
