"""Code lists used by the transaction generator (indices are stored internally)."""

TX_TYPES = [
    "cash_deposit",
    "cash_withdrawal",
    "transfer_in",
    "transfer_out",
    "card_payment",
    "salary",
    "fee",
    "interest",
    "loan_disbursement",
    "loan_repayment",
    "other",
]
(CASH_DEP, CASH_WD, TR_IN, TR_OUT, CARD, SALARY, FEE, INTEREST, LOAN_DISB, LOAN_REPAY, OTHER) = (
    range(11)
)
CHANNELS = ["branch", "atm", "online", "mobile", "pos", "call_centre", "system"]
CH_BRANCH, CH_ATM, CH_ONLINE, CH_MOBILE, CH_POS, CH_CALL, CH_SYSTEM = range(7)
DIRECTIONS = ["credit", "debit"]
CREDIT, DEBIT = 0, 1
MERCHANTS = [
    "grocery",
    "fuel",
    "restaurants",
    "travel",
    "online_retail",
    "utilities",
    "electronics",
    "gambling",
    "health",
    "clothing",
    "entertainment",
]
COUNTRIES = [
    "US",
    # ordinary foreign counterparties
    "CA",
    "MX",
    "GB",
    "DE",
    "FR",
    "IN",
    "CN",
    "PH",
    "ES",
    "IT",
    "JP",
    "BR",
    # high-risk jurisdictions
    "IR",
    "KP",
    "MM",
    "AF",
    "SY",
    "YE",
    # frequent card-fraud origins
    "RU",
    "NG",
    "UA",
    "RO",
]
FOREIGN = list(range(1, 13))
HIGH_RISK = list(range(13, 19))
FRAUD_COUNTRIES = list(range(19, 23))
