"""Write the fictional chat samples: a Slack export folder and a WhatsApp iOS chat.

    python scripts/samples/make_chat_samples.py [--out data/samples]

Deterministic (no clock, no randomness): running it twice gives the same bytes. Everyone is fictional:
the Northwind team (ana@, ben@, chloe@northwind.example), Grace Lee of Acme (grace.lee@acme.example),
and phone numbers in the +1-202-555-01xx range reserved for fiction.

Slack (``slack/northwind/``) follows a real export's layout and fields: ``users.json`` (with a bot,
Slackbot, a guest, a deleted user and a user who never writes), ``channels.json``, ``dms.json``, the
``general/`` channel and one DM folder named by its id, ``YYYY-MM-DD.json`` day files of messages
with string ``ts``, ``thread_ts``, ``parent_user_id`` (omitted on one reply, as older exports do),
``reactions``, ``channel_join``, ``bot_message``, ``channel_topic`` and a ``thread_broadcast``.

WhatsApp (``whatsapp/chloe-grace-chat.txt``) is an iPhone export (US locale) of Chloé's chat with Grace:
U+200E before notices and attachments, U+202F before AM/PM, a multi-line message, and the
end-to-end encryption notice under the chat's name.
"""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

TEAM = "T05NW1ND01"
NS = uuid.UUID("6f1c2a3e-0000-4000-8000-00000000beef")

USERS = [
    # id, handle, real name, display name, title, email, phone, tz, flags
    (
        "U05ANA1001",
        "ana",
        "Ana Souza",
        "ana",
        "Head of Partnerships",
        "ana@northwind.example",
        "+1-202-555-0111",
        "America/New_York",
        {"is_admin": True, "is_owner": True, "is_primary_owner": True},
    ),
    ("U05BEN1002", "ben", "Ben Okafor", "ben", "Platform Lead", "ben@northwind.example", "", "Europe/London", {}),
    (
        "U05CHL1003",
        "chloe",
        "Chloé Martin",
        "Chloé",
        "Product Designer",
        "chloe@northwind.example",
        "+1-202-555-0113",
        "Europe/Paris",
        {},
    ),
    (
        "U05GRC1004",
        "grace.lee",
        "Grace Lee",
        "Grace (Acme)",
        "VP Operations",
        "grace.lee@acme.example",
        "",
        "America/Chicago",
        {"is_restricted": True},
    ),
    ("U05DAN1005", "dan", "Dan Whitfield", "dan", "", None, "", "America/New_York", {"deleted": True}),
    ("U05EVE1006", "eve", "Eve Novak", "eve", "Account Executive", "eve@northwind.example", "", "Europe/Berlin", {}),
]
BOT = "U05STB1007"
BOT_ID = "B05STB0001"
ANA, BEN, CHLOE, GRACE, DAN, EVE = (u[0] for u in USERS)
GENERAL = "C05GEN0001"
DM = "D05ANACHL1"


def _profile(u: tuple) -> dict:
    uid, _handle, real, display, title, email, phone, _tz, flags = u
    first, _, last = real.partition(" ")
    prof = {
        "title": title,
        "phone": phone,
        "skype": "",
        "real_name": real,
        "real_name_normalized": real,
        "display_name": display,
        "display_name_normalized": display,
        "fields": None,
        "status_text": "",
        "status_emoji": "",
        "status_emoji_display_info": [],
        "status_expiration": 0,
        "avatar_hash": f"g{uid[-6:].lower()}",
        "first_name": first,
        "last_name": last,
        "image_24": f"https://secure.gravatar.com/avatar/{uid.lower()}.jpg?s=24",
        "image_72": f"https://secure.gravatar.com/avatar/{uid.lower()}.jpg?s=72",
        "status_text_canonical": "",
        "team": TEAM,
    }
    if email and not flags.get("deleted"):
        prof["email"] = email
    return prof


def users_json() -> list[dict]:
    out = []
    for u in USERS:
        uid, handle, real, _display, _title, _email, _phone, tz, flags = u
        out.append(
            {
                "id": uid,
                "team_id": TEAM,
                "name": handle,
                "deleted": bool(flags.get("deleted")),
                "color": "9f69e7",
                "real_name": real,
                "tz": tz,
                "tz_label": tz,
                "tz_offset": 0,
                "profile": _profile(u),
                "is_admin": bool(flags.get("is_admin")),
                "is_owner": bool(flags.get("is_owner")),
                "is_primary_owner": bool(flags.get("is_primary_owner")),
                "is_restricted": bool(flags.get("is_restricted")),
                "is_ultra_restricted": False,
                "is_bot": False,
                "is_app_user": False,
                "updated": 1709251200,
                "is_email_confirmed": not flags.get("deleted"),
                "who_can_share_contact_card": "EVERYONE",
            }
        )
    out.append(
        {
            "id": BOT,
            "team_id": TEAM,
            "name": "standup-bot",
            "deleted": False,
            "color": "4bbe2e",
            "real_name": "Standup Bot",
            "tz": "America/Los_Angeles",
            "tz_label": "Pacific Standard Time",
            "tz_offset": -28800,
            "profile": {
                "title": "",
                "phone": "",
                "skype": "",
                "real_name": "Standup Bot",
                "real_name_normalized": "Standup Bot",
                "display_name": "",
                "display_name_normalized": "",
                "fields": None,
                "status_text": "",
                "status_emoji": "",
                "status_expiration": 0,
                "avatar_hash": "b1f2e3d4c5a6",
                "api_app_id": "A05STB0001",
                "always_active": True,
                "bot_id": BOT_ID,
                "first_name": "Standup",
                "last_name": "Bot",
                "team": TEAM,
            },
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": True,
            "is_app_user": False,
            "updated": 1709251200,
            "is_email_confirmed": False,
            "who_can_share_contact_card": "EVERYONE",
        }
    )
    out.append(
        {
            "id": "USLACKBOT",
            "team_id": TEAM,
            "name": "slackbot",
            "deleted": False,
            "color": "757575",
            "real_name": "Slackbot",
            "tz": "America/Los_Angeles",
            "tz_label": "Pacific Standard Time",
            "tz_offset": -28800,
            "profile": {
                "title": "",
                "phone": "",
                "skype": "",
                "real_name": "Slackbot",
                "real_name_normalized": "Slackbot",
                "display_name": "Slackbot",
                "display_name_normalized": "Slackbot",
                "fields": None,
                "status_text": "",
                "status_emoji": "",
                "status_expiration": 0,
                "avatar_hash": "sv41d8cd98f0",
                "always_active": True,
                "first_name": "slackbot",
                "last_name": "",
                "team": TEAM,
            },
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": False,
            "is_app_user": False,
            "updated": 0,
            "is_email_confirmed": False,
            "who_can_share_contact_card": "EVERYONE",
        }
    )
    return out


def channels_json() -> list[dict]:
    return [
        {
            "id": GENERAL,
            "name": "general",
            "created": 1709251200,
            "creator": ANA,
            "is_archived": False,
            "is_general": True,
            "members": [ANA, BEN, CHLOE, GRACE, BOT],  # Dan left on 7 March
            "topic": {
                "value": "Company-wide announcements and work-based matters",
                "creator": ANA,
                "last_set": 1709251200,
            },
            "purpose": {
                "value": "This channel is for team-wide communication.",
                "creator": ANA,
                "last_set": 1709251200,
            },
        }
    ]


def dms_json() -> list[dict]:
    return [{"id": DM, "created": 1709251300, "members": [ANA, CHLOE]}]


USER = {u[0]: u for u in USERS}


def _ts(day: int, hh: int, mm: int, ss: int = 0, micro: int = 100) -> str:
    sec = int(datetime(2024, 3, day, hh, mm, ss, tzinfo=UTC).timestamp())
    return f"{sec}.{micro:06d}"


def _user_profile(uid: str) -> dict:
    _uid, handle, real, display, *_ = USER[uid]
    return {
        "avatar_hash": f"g{uid[-6:].lower()}",
        "image_72": f"https://secure.gravatar.com/avatar/{uid.lower()}.jpg?s=72",
        "first_name": real.partition(" ")[0],
        "real_name": real,
        "display_name": display,
        "team": TEAM,
        "name": handle,
        "is_restricted": uid == GRACE,
        "is_ultra_restricted": False,
    }


def msg(
    uid: str,
    ts: str,
    text: str,
    *,
    reactions: list[tuple[str, list[str]]] | None = None,
    thread: str | None = None,
    parent: str | None = None,
    subtype: str | None = None,
) -> dict:
    """A person's message as a real export writes it."""
    m: dict = {"client_msg_id": str(uuid.uuid5(NS, ts + uid))}
    m["type"] = "message"
    if subtype:
        m["subtype"] = subtype
    m.update(
        {
            "text": text,
            "user": uid,
            "ts": ts,
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": uuid.uuid5(NS, ts).hex[:5],
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
                }
            ],
            "team": TEAM,
            "user_team": TEAM,
            "source_team": TEAM,
            "user_profile": _user_profile(uid),
        }
    )
    if thread:
        m["thread_ts"] = thread
        if parent:
            m["parent_user_id"] = parent
    if reactions:
        m["reactions"] = [{"name": name, "users": who, "count": len(who)} for name, who in reactions]
    return m


def join(uid: str, ts: str) -> dict:
    return {
        "type": "message",
        "subtype": "channel_join",
        "ts": ts,
        "user": uid,
        "text": f"<@{uid}> has joined the channel",
    }


def bot_post(ts: str, text: str) -> dict:
    return {
        "type": "message",
        "subtype": "bot_message",
        "text": text,
        "ts": ts,
        "username": "Standup Bot",
        "bot_id": BOT_ID,
        "icons": {"image_48": "https://a.slack-edge.com/80588/img/plugins/app/bot_48.png"},
    }


def general_days() -> dict[str, list[dict]]:
    welcome = _ts(4, 9, 5)
    roadmap = _ts(4, 14, 0)
    release = _ts(6, 9, 0)
    days = {
        "2024-03-04": [
            join(GRACE, _ts(4, 9, 0)),
            msg(
                ANA,
                welcome,
                "Welcome <@U05GRC1004>! Grace is our partner lead at Acme for the pilot.",
                reactions=[("wave", [BEN, CHLOE, GRACE]), ("tada", [BOT, ANA])],
            ),
            msg(GRACE, _ts(4, 9, 12), "Thanks Ana, excited to get started!", thread=welcome, parent=ANA),
            msg(BEN, _ts(4, 9, 20), "Welcome Grace. Ping me for API keys.", thread=welcome, parent=ANA),
            bot_post(_ts(4, 10, 0), "Standup reminder: post your update in the thread"),
            msg(CHLOE, _ts(4, 11, 30), "Design review for the pilot dashboard is on Thursday."),
            msg(
                DAN, _ts(4, 12, 15), "Handing the Acme contract files to Ana before I go.", reactions=[("pray", [ANA])]
            ),
            msg(ANA, roadmap, "Draft roadmap for the Acme pilot is in the shared drive."),
            msg(GRACE, _ts(4, 14, 30), "Looks great. One question on the timeline.", thread=roadmap, parent=ANA),
            msg(ANA, _ts(4, 14, 40), "Happy to walk through it.", thread=roadmap, parent=ANA),
            msg(BEN, _ts(4, 16, 0), "Staging is green again."),
        ],
        "2024-03-05": [
            # an older-style reply without parent_user_id: its parent is yesterday's roadmap message
            msg(CHLOE, _ts(5, 8, 45), "I added mockups next to the roadmap.", thread=roadmap),
            {
                "type": "message",
                "subtype": "channel_topic",
                "ts": _ts(5, 9, 0),
                "user": ANA,
                "text": "set the channel topic: Acme pilot",
                "topic": "Acme pilot",
            },
            msg(GRACE, _ts(5, 9, 30), "Could we move the review to Friday?", reactions=[("thumbsup", [CHLOE, BEN])]),
            {"type": "message", "text": "You can ask me anything.", "user": "USLACKBOT", "ts": _ts(5, 9, 31)},
            msg(
                BEN,
                _ts(5, 10, 0),
                "Friday works. Also sharing here: staging is live",
                thread=_ts(4, 16, 0),
                parent=BEN,
                subtype="thread_broadcast",
            ),
            {
                "type": "message",
                "text": "Daily standup summary",
                "user": BOT,
                "ts": _ts(5, 10, 5),
                "bot_id": BOT_ID,
                "app_id": "A05STB0001",
            },
            msg(CHLOE, _ts(5, 11, 0), "Friday 3pm then."),
        ],
        "2024-03-06": [
            msg(BEN, release, "Release notes for the pilot build are up.", reactions=[("rocket", [GRACE, CHLOE, ANA])]),
            msg(GRACE, _ts(6, 9, 25), "Our team will test it this afternoon.", thread=release, parent=BEN),
            msg(CHLOE, _ts(6, 9, 40), "Uploaded the dashboard spec", subtype="file_share"),
            msg(
                DAN,
                _ts(6, 12, 0),
                "Last day tomorrow, it was a pleasure!",
                reactions=[("heart", [ANA, BEN, CHLOE, GRACE])],
            ),
            msg(GRACE, _ts(6, 15, 30), "Testing done, two small issues logged.", thread=release, parent=BEN),
            msg(BEN, _ts(6, 15, 45), "Fixed both, thanks!", thread=release, parent=BEN),
        ],
        "2024-03-07": [
            msg(
                ANA,
                _ts(7, 9, 0),
                "Pilot kickoff went well, thank you all!",
                reactions=[("raised_hands", [BEN, CHLOE, GRACE, DAN])],
            ),
            msg(GRACE, _ts(7, 9, 10), "Agreed, great session."),
            bot_post(_ts(7, 10, 0), "Standup reminder: post your update in the thread"),
            msg(BEN, _ts(7, 11, 0), "Notes are pinned."),
            {
                "type": "message",
                "subtype": "channel_leave",
                "ts": _ts(7, 17, 0),
                "user": DAN,
                "text": "<@U05DAN1005> has left the channel",
            },
        ],
    }
    return days


def dm_days() -> dict[str, list[dict]]:
    budget = _ts(4, 15, 0)
    return {
        "2024-03-04": [
            msg(ANA, budget, "Can you own the pilot dashboard design?"),
            msg(CHLOE, _ts(4, 15, 5), "Yes! Do we have a budget for user interviews?"),
            msg(ANA, _ts(4, 15, 7), "Small one, I'll confirm.", reactions=[("heart", [CHLOE])]),
            msg(CHLOE, _ts(4, 15, 9), "Sketch attached", thread=budget, parent=ANA),
        ],
        "2024-03-06": [
            msg(CHLOE, _ts(6, 10, 0), "Interview notes are in the doc."),
            msg(ANA, _ts(6, 10, 20), "Thanks, reading now."),
            msg(ANA, _ts(6, 18, 2), "Grace wants to meet Ben next week, can you intro?"),
            msg(CHLOE, _ts(6, 18, 30), "On it.", reactions=[("white_check_mark", [ANA])]),
            msg(ANA, _ts(6, 18, 31), "You're the best"),
        ],
    }


def add_thread_fields(days: dict[str, list[dict]]) -> None:
    """Give every thread parent the fields real exports carry (reply_count, replies, ...)."""
    parents = {m["ts"]: m for msgs in days.values() for m in msgs if "user" in m}
    for msgs in days.values():
        for m in msgs:
            t = m.get("thread_ts")
            if t and t != m["ts"] and t in parents:
                p = parents[t]
                p.setdefault("thread_ts", t)
                p.setdefault("replies", []).append({"user": m["user"], "ts": m["ts"]})
    for p in parents.values():
        reps = p.pop("replies", None)
        if not reps:
            continue
        users = list(dict.fromkeys(r["user"] for r in reps))
        # real exports put the thread fields after user_profile, before reactions
        reactions = p.pop("reactions", None)
        p.update(
            {
                "reply_count": len(reps),
                "reply_users_count": len(users),
                "latest_reply": reps[-1]["ts"],
                "reply_users": users,
                "replies": reps,
                "is_locked": False,
                "subscribed": False,
            }
        )
        if reactions:
            p["reactions"] = reactions


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")


def write_slack(root: Path) -> None:
    write_json(root / "users.json", users_json())
    write_json(root / "channels.json", channels_json())
    write_json(root / "dms.json", dms_json())
    for folder, days in (("general", general_days()), (DM, dm_days())):
        add_thread_fields(days)
        for day, msgs in days.items():
            write_json(root / folder / f"{day}.json", msgs)


LRM = "\u200e"
NNBSP = "\u202f"
E2E = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
    "can read or listen to them."
)


def whatsapp_lines() -> list[str]:
    def at(d: str, t: str, ampm: str) -> str:
        return f"[{d}, {t}{NNBSP}{ampm}]"

    c, g = "Chloé Martin", "Grace Lee"
    return [
        f"{at('1/8/24', '9:02:11', 'AM')} {g}: {LRM}{E2E}",
        f"{at('1/8/24', '9:02:11', 'AM')} {c}: Hi Grace, it's Chloé from Northwind. Great meeting you at the summit!",
        f"{at('1/8/24', '9:15:40', 'AM')} {g}: Hi Chloé! Likewise. Are you free for a call next week?",
        f"{at('1/8/24', '9:16:02', 'AM')} {c}: Sure. Tuesday works:",
        "- 10am ET",
        "- or after 2pm",
        "",
        "Whichever suits you.",
        f"{at('1/8/24', '9:20:33', 'AM')} {g}: 2pm it is",
        f"{LRM}{at('1/9/24', '6:41:09', 'PM')} {g}: {LRM}image omitted",
        f"{at('1/9/24', '6:42:00', 'PM')} {c}: Love the new dashboard",
        f"{at('1/16/24', '2:00:00', 'PM')} {g}: {LRM}Missed voice call",
        f"{at('1/16/24', '2:01:12', 'PM')} {c}: Sorry, calling you back now",
        f"{LRM}{at('1/16/24', '2:30:45', 'PM')} {g}: {LRM}<attached: 00000012-PHOTO-2024-01-16-14-30-45.jpg>",
        f"{at('2/2/24', '11:05:19', 'AM')} {g}: {LRM}Your security code with {g} changed. Tap to learn more.",
        f"{at('2/2/24', '11:06:00', 'AM')} {c}: {LRM}You deleted this message.",
        f"{at('2/2/24', '11:07:30', 'AM')} {c}: Would an intro to Ben help? He leads our platform team.",
        f"{at('2/2/24', '11:10:02', 'AM')} {g}: {LRM}This message was deleted.",
        f"{at('2/2/24', '11:10:40', 'AM')} {g}: Yes please! My other number is +1-202-555-0144",
        f"{at('2/13/24', '8:30:00', 'PM')} {c}: Done, you're both on the thread.",
        f"{at('2/13/24', '8:31:10', 'PM')} {g}: Thank you 🙏",
    ]


def write_whatsapp(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # iOS writes CRLF-free UTF-8 without BOM
    path.write_bytes(("\n".join(whatsapp_lines()) + "\n").encode("utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "data" / "samples")
    args = ap.parse_args()
    write_slack(args.out / "slack" / "northwind")
    write_whatsapp(args.out / "whatsapp" / "chloe-grace-chat.txt")


if __name__ == "__main__":
    main()
