"""Yearly ledgers (台账): the archive categories each branch binds, and what Zhibu exports for them.

Source: docs/domain.md, section "Ledgers and archives (信息台账)": "Yearly, each branch binds with a catalogue:
组织管理档案 (founding, elections, plans, summaries), 党员管理档案 (roster, transfers, dues ledger,
development files, awards, members in hardship), 组织生活档案 (三会一课 records, theme days, lecture
scripts, 组织生活会 materials, talks, 评议 forms), 集中教育档案, 创先争优档案, 经费保障档案. The software
produces these as exports."
"""

# Sheets of the yearly workbook, in binding order: (writer module, sheet title, archive category).
# A writer whose module is not installed is left out (capabilities ship their own writer).
WORKBOOK_SHEETS = [
    ("webapp.ledgers.sheets.catalogue", "目录", "台账目录"),
    ("webapp.ledgers.sheets.roster", "花名册", "党员管理档案"),
    ("webapp.ledgers.sheets.dues", "党费台账", "党员管理档案"),
    ("webapp.ledgers.sheets.records_list", "组织生活记录", "组织生活档案"),
    ("webapp.ledgers.sheets.attendance", "出勤统计", "组织生活档案"),
    ("webapp.ledgers.sheets.points", "积分台账", "党员管理档案"),
    ("webapp.ledgers.sheets.rectification", "整改台账", "组织生活档案"),
    ("webapp.mobility.ledger_sheet", "组织关系转接", "党员管理档案"),
    ("webapp.development.exports", "发展党员台账", "党员管理档案"),
]

# The meeting record book (会议记录本) holds approved 组织生活档案 records in date order. Talks
# (谈心谈话) are private to the committee; exports are made only by those who manage the branch, so they
# are included, marked as such.
RECORD_BOOK_TYPES_PRIVATE_INCLUDED = True

# Thumbnail size in the PDF (mm) and photos per row.
PDF_PHOTO_MM = 42
PDF_PHOTOS_PER_ROW = 4

# An export job is leased by the process building it, which renews the lease (a heartbeat) while it
# works; a job whose lease ran out was abandoned by a process that died (issue 13: "exports that die
# with their process") and `flask ledgers run-pending` takes it up again. The heartbeat comes every
# EXPORT_HEARTBEAT_SECONDS from a thread beside the build, so a long step never looks abandoned; the
# lease is four heartbeats long so a busy database or a paused process does not lose it at once.
EXPORT_HEARTBEAT_SECONDS = 15
EXPORT_LEASE_SECONDS = 4 * EXPORT_HEARTBEAT_SECONDS
# A queued job nobody started within this time (the web process died before its thread ran) is shown
# as stalled, with the offer to start again, instead of a progress bar that never moves.
EXPORT_QUEUED_STALE_SECONDS = 5 * 60
# A runner takes a job at most this many times (ExportJob.attempts): the first try and the job
# queue's retries of a failure (JOBS_RETRIES, default 2), or the take-overs of a job whose worker died
# while building it. A build that kills its worker every time (a ledger too large for the worker's
# memory, a font that crashes the PDF library) would otherwise be reclaimed and kill a worker every
# minute, forever (issue 19, "known gap"); past the limit the job is marked failed and the secretary
# is told (EXPORT_GAVE_UP_MESSAGE) instead of a progress bar that never ends.
EXPORT_MAX_ATTEMPTS = 3
EXPORT_GAVE_UP_MESSAGE = ("已尝试生成 {attempts} 次，每次处理进程都在生成时中止，系统已停止重试。"
                          "请联系管理员检查该年度的台账数据或服务器资源后再点“重新生成”。")

# The binder's page (A4, mm): left, top, right, bottom margins. The left one is the binding margin
# (装订线): a paper 台账 is punched and bound on the left, so 25 mm stay clear of text there.
PDF_MARGINS_MM = (25, 22, 15, 20)

# Worksheets as printed: a sheet wider than SHEET_LANDSCAPE_WIDTH character units (the sum of its
# column widths; about what a portrait A4 page holds at a readable scale) prints landscape; every sheet is
# fitted to one page wide. Columns are fitted to their text within these bounds (longer text wraps).
SHEET_LANDSCAPE_WIDTH = 100
SHEET_MIN_COLUMN_WIDTH = 6
SHEET_MAX_COLUMN_WIDTH = 40
# Left, top, right, bottom margins in inches: the left one leaves the 25 mm binding margin.
SHEET_PAGE_MARGINS_INCH = (1.0, 0.75, 0.5, 0.75)
