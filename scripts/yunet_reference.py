#!/usr/bin/env python3
"""Times OpenCV's YuNet on the frames that bench_checks wrote, and compares
its faces with the station's.

Usage: yunet_reference.py DIR, where DIR holds the PNG frames and the
detections.json written by `bench_checks --frames DIR`. Each frame is scaled
to the same detector input size as the station's, with the same score (0.6)
and overlap (0.3) thresholds, and timed with OpenCV on one thread (as the
station's detector runs) and on all threads. The time covers the scaling and
the detection, as the station's figure does.
"""

import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np


def timed(runs, work):
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1e3)
    times.sort()
    return times[len(times) // 2], times[min(len(times) * 95 // 100, len(times) - 1)]


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: yunet_reference.py DIR (the folder bench_checks --frames wrote)")
    folder = Path(sys.argv[1])
    listing = folder / "detections.json"
    if not listing.exists():
        sys.exit(f"{listing} is missing: run bench_checks with --frames {folder} first")
    bench = json.loads(listing.read_text())
    # OpenCV 5 warns on every detector that its new graph engine ignores
    # the compute target; the default target is the CPU, as wanted here.
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    runs = bench["runs"]
    print(f"OpenCV {cv2.__version__}, {runs} runs of each, median and p95")
    print()
    print("| frame (detector input) | station (tract) | OpenCV, 1 thread | OpenCV, all threads "
          "| faces station / OpenCV | box overlap (IoU) | landmark distance |")
    print("|---|---|---|---|---|---|---|")
    for frame in bench["frames"]:
        image = cv2.imread(str(folder / frame["file"]))
        if image is None:
            sys.exit(f"cannot read {folder / frame['file']}")
        height, width = image.shape[:2]
        scale = min(1.0, frame["detector_side"] / max(width, height))
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        detector = cv2.FaceDetectorYN.create(bench["model"], "", size, 0.6, 0.3, 5000)

        def detect():
            small = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR) if scale < 1 else image
            return detector.detect(small)[1]

        cv2.setNumThreads(1)
        one = timed(runs, detect)
        cv2.setNumThreads(-1)
        every = timed(runs, detect)

        found = detect()
        found = [] if found is None else sorted(found.tolist(), key=lambda f: -f[14])
        ours = frame["faces"]
        overlap, distance = "-", "-"
        if found and ours:
            theirs = np.array(found[0][:14]) / scale
            overlap = f"{iou(ours[0]['box'], theirs[:4]):.3f}"
            points = np.array(ours[0]["landmarks"])
            distance = f"{np.linalg.norm(points - theirs[4:14].reshape(5, 2), axis=1).mean():.1f} px"
        print(
            f"| {frame['file']} ({size[0]}x{size[1]}) "
            f"| {frame['median_ms']:.1f} / {frame['p95_ms']:.1f} ms "
            f"| {one[0]:.1f} / {one[1]:.1f} ms | {every[0]:.1f} / {every[1]:.1f} ms "
            f"| {len(ours)} / {len(found)} | {overlap} | {distance} |"
        )


if __name__ == "__main__":
    main()
