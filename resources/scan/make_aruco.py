"""Writes aruco_6x6_1000.txt from OpenCV's predefined ArUco dictionary DICT_6X6_1000 (OpenCV,
Apache-2.0): one line per marker id, its 6 x 6 inner bits row by row (1 = black) as 9 hex
digits. PollDay prints and reads the markers from this file, so the app does not need OpenCV.

    python resources/scan/make_aruco.py        (needs opencv-python-headless; run once)
"""

from pathlib import Path

import cv2

here = Path(__file__).resolve().parent
d = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_6X6_1000)
lines = ["# ArUco DICT_6X6_1000 from OpenCV (Apache-2.0): id -> 36 inner bits, row-major, 1 = black"]
for i in range(1000):
    img = cv2.aruco.generateImageMarker(d, i, 8, borderBits=1)
    bits = "".join("1" if v < 128 else "0" for row in img[1:7, 1:7].tolist() for v in row)
    lines.append(f"{int(bits, 2):09x}")
(here / "aruco_6x6_1000.txt").write_text("\n".join(lines) + "\n", encoding="ascii")
