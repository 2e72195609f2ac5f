"""The register (名册): validated person records, their storage with search keys, and import
from the spreadsheets people actually keep (CSV in UTF-8/GBK, XLSX)."""
