"""An example folder for `interview score` (`interview demo --export DIR`).

Four candidates, so the folder format in the README is a real one: a video answer (a real
phone clip of a person with real speech muxed in, plus a reference photo from the same clip),
an audio answer spoken by espeak-ng, typed answers as .txt files and inline text, a Chinese
candidate, and a role YAML with its own scoring policy. Two answers share most of their
words, so the batch's near-duplicate check has something to flag.

The recordings are made from sample media (the project's shared test data by default); a
candidate whose sample or program is missing is left out and the notes say why. Encoding
goes through PyAV (bundled FFmpeg), as decoding does in interview.perception.media.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
import yaml

from interview.errors import InvalidInput
from interview.perception.media import SAMPLE_RATE, decode_audio, iter_frames

DEFAULT_SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data"
CLIP = "video/one_person_center.mp4"
SPEECH = "audio/jfk.flac"
VIDEO_FPS = 12  # frames per second written; perception samples fewer
VIDEO_SIDE = 640  # px, long side

STRONG = (
    "Last December our store was short two people on the busiest Saturday. I split the floor "
    "into zones, asked a colleague to cover the till and took the returns queue myself. I "
    "explained the wait to each customer, apologised and offered a pickup slot. We served "
    "everyone before closing, complaints dropped from six the week before to one, and my "
    "manager used the zone plan for the rest of the season."
)
COPIED = STRONG.replace("Last December", "Last winter").replace("six", "seven")
WEAK = "I don't know, I just do what I'm told. It was fine I guess."
SPOKEN = "I once helped a customer find the right size. I checked the stock room and found it."
ZH_ANSWERS = (
    "去年夏天一位客人说菜太咸，我先道歉，马上请厨房重做，并送了一份甜品。"
    "客人最后很满意，还在点评网站上表扬了我们。",
    "有一次晚高峰两个同事请假，我先把外卖订单和堂食分开，请经理帮忙收银，"
    "自己负责上菜和安抚等位的客人。那天我们比平时只晚了十分钟翻台，没有一桌投诉。",
)
Q_CUSTOMER = (
    "Tell me about a time you helped a customer whose problem was not straightforward. "
    "How did you find out what they really needed?"
)
Q_STRESS = (
    "Tell me about a time you had several urgent tasks at once and not enough time for all "
    "of them. What did you do first, and why?"
)
Q_INTEGRITY = (
    "Tell me about a time you made a mistake that nobody else had noticed. What did you do?"
)
Q_LEAD = (
    "Tell me about a time you were responsible for getting a group of people to complete a "
    "task. How did you organise them?"
)
ZH_QUESTIONS = (
    "请讲一次您帮客户解决一个不太简单的问题的经历。您是怎么弄清他真正需要什么的？",
    "请讲一次您手上同时压着好几件急事、时间明显不够用的经历。您先做了什么？为什么这么安排？",
)
ROLE_YAML = {
    "title": "Store supervisor",
    "description": "Leads a shift of five to ten retail associates: rota, breaks, queues, "
    "complaints and the till count at closing.",
    "scoring": {"profile": "eu"},  # no scoring from video; identity checks still run
}


@dataclass
class Export:
    folder: Path
    candidates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=10_000)
    (folder / "manifest.yaml").write_text(text, encoding="utf-8")


def _frames(clip: Path, seconds: float) -> Iterator[npt.NDArray[np.uint8]]:
    for t, image in iter_frames(clip, fps=VIDEO_FPS, max_side=VIDEO_SIDE):
        if t >= seconds:
            return
        yield image


def write_video(
    path: Path, frames: list[npt.NDArray[np.uint8]], audio: npt.NDArray[np.float32]
) -> None:
    """An MP4 (H.264 and AAC) from upright BGR frames and 16 kHz mono samples."""
    height, width = (d - d % 2 for d in frames[0].shape[:2])  # H.264 wants even sides
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=VIDEO_FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "28"}
        sound = out.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        for i, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(image[:height, :width]), format="bgr24"
            )
            frame.pts, frame.time_base = i, Fraction(1, VIDEO_FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        block = 1024  # the AAC frame size
        for start in range(0, len(audio), block):
            chunk = audio[start : start + block]
            samples = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="fltp", layout="mono")
            samples.sample_rate, samples.pts = SAMPLE_RATE, start
            samples.time_base = Fraction(1, SAMPLE_RATE)
            out.mux(sound.encode(samples))
        out.mux(sound.encode(None))


def write_photo(path: Path, image: npt.NDArray[np.uint8]) -> None:
    """A JPEG of one BGR frame."""
    with av.open(str(path), "w", format="image2") as out:
        stream = out.add_stream("mjpeg", rate=1)
        stream.width, stream.height, stream.pix_fmt = image.shape[1], image.shape[0], "yuvj420p"
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def speak(path: Path, text: str, voice: str = "en") -> bool:
    """Speech from espeak-ng as a WAV file; False when the program is not installed."""
    program = shutil.which("espeak-ng")
    if program is None:
        return False
    subprocess.run(
        [program, "-v", voice, "-s", "150", "-w", str(path), text], check=True, timeout=60
    )
    return True


def _video_candidate(out: Path, samples: Path, seconds: float, export: Export) -> None:
    clip, speech = samples / CLIP, samples / SPEECH
    missing = [p for p in (clip, speech) if not p.is_file()]
    if missing:
        export.notes.append(f"jordan-lee left out: no sample {missing[0]}")
        return
    folder = out / "jordan-lee"
    folder.mkdir(parents=True, exist_ok=True)
    frames = list(_frames(clip, seconds))
    audio = decode_audio(speech)[: int(seconds * SAMPLE_RATE)]
    write_video(folder / "q1.mp4", frames, audio)
    write_photo(folder / "photo.jpg", frames[len(frames) // 2])
    (folder / "q2.txt").write_text(STRONG + "\n", encoding="utf-8")
    _write_manifest(
        folder,
        {
            "candidate_id": "jordan-lee",
            "name": "Jordan Lee",
            "role": "retail_associate",
            "language": "en",
            "photo": "photo.jpg",
            "answers": [
                {"question": Q_CUSTOMER, "file": "q1.mp4"},
                {"question": Q_STRESS, "file": "q2.txt"},
                {
                    "question": Q_INTEGRITY,
                    "text": "I gave a customer the wrong change once. I told my manager at "
                    "the end of the shift and we called the customer the next morning.",
                    "competency": "integrity",
                },
            ],
        },
    )
    export.candidates.append("jordan-lee")


def _audio_candidate(out: Path, export: Export) -> None:
    folder = out / "sam-park"
    folder.mkdir(parents=True, exist_ok=True)
    answers: list[dict[str, Any]] = []
    if speak(folder / "q1.wav", SPOKEN):
        answers.append({"question": Q_CUSTOMER, "file": "q1.wav"})
    else:
        export.notes.append("sam-park answers in text only: espeak-ng is not installed")
        answers.append({"question": Q_CUSTOMER, "text": SPOKEN})
    (folder / "q2.txt").write_text(COPIED + "\n", encoding="utf-8")
    answers += [
        {"question": Q_STRESS, "file": "q2.txt"},
        {"question": Q_INTEGRITY, "text": WEAK},
    ]
    _write_manifest(
        folder,
        {"name": "Sam Park", "role": "retail_associate", "language": "en", "answers": answers},
    )
    export.candidates.append("sam-park")


def _text_candidates(out: Path, export: Export) -> None:
    folder = out / "li-na"
    folder.mkdir(parents=True, exist_ok=True)
    for n, text in enumerate(ZH_ANSWERS, start=1):
        (folder / f"q{n}.txt").write_text(text + "\n", encoding="utf-8")
    _write_manifest(
        folder,
        {
            "name": "李娜",
            "role": "restaurant_server",
            "language": "zh",
            "answers": [
                {"question": q, "file": f"q{n}.txt"} for n, q in enumerate(ZH_QUESTIONS, start=1)
            ],
        },
    )
    export.candidates.append("li-na")
    role = out / "store_supervisor.yaml"
    role.write_text(yaml.safe_dump(ROLE_YAML, sort_keys=False, width=100), encoding="utf-8")
    _write_manifest(
        out / "alex-kim",
        {
            "name": "Alex Kim",
            "role": "../store_supervisor.yaml",
            "language": "en",
            "answers": [
                {"question": Q_LEAD, "text": STRONG},
                {"question": Q_STRESS, "text": WEAK},
            ],
        },
    )
    export.candidates.append("alex-kim")


def export_demo(out: Path, samples: Path | None = None, seconds: float = 6.0) -> Export:
    """Write the example folder; InvalidInput when `out` exists and is not an empty folder."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(f"{out} already exists and is not empty; name a new folder")
    if not seconds > 0:
        raise InvalidInput(f"clip length {seconds} s: give a positive number of seconds")
    out.mkdir(parents=True, exist_ok=True)
    export = Export(out)
    _video_candidate(out, samples or DEFAULT_SAMPLES, seconds, export)
    _audio_candidate(out, export)
    _text_candidates(out, export)
    return export
