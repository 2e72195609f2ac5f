"""The district office's side (区/街道换届办): import the communities' 报送包 into the district
database (db/district.py, its own schema), compute the figures reported upward, and write them
(XLSX 汇总/各社区/班子结构, PDF, 日报).

- importing: verify each package with app.export.verify_package (within its size limits);
  duplicate / superseded / rejected / quarantined (another signing key);
- trust, decisions: which package counts (the community's key decides), 未核对密钥, and a
  person's approve / exclude / include / confirm-key, each in the decision log;
- figures, makeup, rates: per community and overall, exact fractions rounded half up once;
- sheets: the plan and previous-term spreadsheets; export: XLSX and PDF; text: plain text;
- demo: `pollday demo-district` packages.

Qt-free; the dashboard is ui/pages/district_page.py (`pollday --district DB`).
"""
