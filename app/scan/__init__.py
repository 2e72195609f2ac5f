"""Counting from an office scanner (issue 17), format A (separate 赞成 / 不赞成 boxes) and format B
(one box per candidate: ○ 赞成, × 不赞成, blank 弃权).

layout   the printed geometry of a scannable ballot (mm from the page's top-left corner)
read     one scanned page image -> markers, homography, per-box ink scores, a decision
shape    format B: the ○-score and ×-score of the ink in one box (numpy only)
source   page images out of PDF / JPEG / PNG / TIFF files
batch    importing a folder of scans (hashes, archive copies, the hand count)
watch    a watched scan folder (the MFP's share, a USB stick): files read once whole, batches
         imported when their hand count is typed
adjudicate  the human decisions on flagged ballots, and counting them into the round

Nothing here imports Qt, nor OpenCV (a test-only dependency). numpy is imported only by `read` and `source`, and only
when a page is read, so `pollday` starts without them."""
