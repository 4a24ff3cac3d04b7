"""Fan replies in a creator's voice: what the fan wrote decides the kind of answer, the data
block (the fan's name and segments) personalises it, the request seed picks the wording.

Every template stays clear of what the app's compliance guard blocks (contact details, other
apps, links, meeting up, refunds and other escalation words): a reply only breaks those rules
when the misbehave fault asks it to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from huntaze_ai.emulator.fan_facts import facts_in
from huntaze_ai.emulator.voices import NO_VALUE, NodePath, Voice, enum_choice

# (intent, cues) in priority order: the first intent with a cue in the fan's message wins.
_INTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("birthday", ("birthday", "bday", "b-day")),
    ("custom", ("custom", "special request", "personal video", "just for me", "make me")),
    ("price", ("how much", "price", "cost", "unlock", "ppv", "buy", "pay for")),
    ("sad", ("bad day", "sad", "lonely", "stressed", "rough day", "tired")),
    ("miss", ("miss you", "missed you", "been a while", "long time")),
    ("new_content", ("new content", "new set", "new video", "next post", "post more", "when")),
    ("thanks", ("thank", "thx")),
    ("compliment", (
        "love", "gorgeous", "beautiful", "stunning", "amazing", "hot", "cute", "sexy", "obsessed",
        "favorite", "favourite", "incredible", "perfect", "pretty", "best",
    )),
    ("greeting", ("hey", "hi", "hii", "hello", "morning", "evening", "what's up", "sup", "hiya")),
)  # fmt: skip

# {n}: ", Alex" or nothing; {hi}: "Hey Alex!" or "Hey babe!".
_TEMPLATES: dict[str, tuple[str, ...]] = {
    "compliment": (
        "Aww thank you so much{n}! 🥰 That means a lot — I've got something new coming this "
        "week I think you'll love 😘",
        "Stop it, you're making me blush 🙈 Thank you{n}! Messages like yours are why I love "
        "making this 💕",
        "You just made my whole day{n} 🥹 Thank you for always showing me so much love! More is "
        "on the way very soon 😉",
        "Thank you, babe! 💖 I put so much into my last set, so hearing this honestly means "
        "everything. Stay tuned this weekend 👀",
    ),
    "greeting": (
        "{hi} 😊 So happy to hear from you — how's your day going?",
        "{hi} 👋💕 Perfect timing, I was just about to post something new. What are you up to "
        "today?",
        "{hi} 😘 Thanks for stopping by! Tell me something good that happened today ✨",
    ),
    "new_content": (
        "Soon, I promise{n}! 😉 I'm putting the finishing touches on a new set and it drops in "
        "the next few days — you'll be the first to know 💌",
        "Ooh, someone's eager 😏 New content is coming this week! Keep an eye on your messages, "
        "I might send you a little sneak peek first 👀",
        "I'm shooting something new right now 📸 It'll be up before the weekend — I think it's "
        "my favourite yet 🔥",
    ),
    "custom": (
        "I'd love to make something just for you{n}! 💕 Tell me a bit more about what you have "
        "in mind and I'll send you the details right here 😊",
        "Customs are my favourite 😍 Send me your idea and I'll tell you what I can do and what "
        "it costs 💌",
    ),
    "price": (
        "Great question{n}! 😊 I'll send it to you right here in your messages so you can unlock "
        "it whenever you like 💋",
        "I'll drop it in your messages in a sec, babe 😘 Honestly one of my favourite sets so "
        "far — I think you'll love it 🔥",
    ),
    "sad": (
        "Aww, sending you the biggest hug{n} 🤗 I'm always happy when you message me. Want me "
        "to send you something to cheer you up? 💕",
        "I'm sorry today was rough 🥺 You deserve something nice — I'm right here if you want "
        "to chat 💖",
    ),
    "miss": (
        "I missed you too{n}! 🥺 It's so good to hear from you again — what have you been up to?",
        "There you are! 😍 I was wondering where you went. So happy you're back 💕",
    ),
    "thanks": (
        "You're so welcome{n}! 💕 Thank YOU for being so sweet to me 🥰",
        "Anytime, babe 😘 I love taking care of my favourite people 💖",
    ),
    "birthday": (
        "Happy birthday{n}!! 🎉🎂 I hope your day is amazing — I might have a little birthday "
        "surprise for you 😉",
        "It's your birthday?! 🥳 Happy birthday{n}! Let me know if there's anything special "
        "you'd like today 💝",
    ),
    "chat": (
        "Thank you for your message{n}! 💕 I love hearing from you — tell me more 😊",
        "You always know how to make me smile 😊 What's on your mind today?",
        "Haha I love that 😄 You're too sweet{n}. How's your week been?",
    ),
}
_SEGMENT_LINES = {
    "whale": "You've always been one of my favourites, you know that 😘",
    "new": "And welcome — I'm so glad you're here! 💖",
    "at_risk": "It's been a little while — I've missed chatting with you! 🥺",
    "dormant": "It's been way too long — so happy you stopped by! 🥺",
}
_TEASERS = {
    "ppv": "Want me to send you a little preview of the new set? 😏",
    "custom_content": "And if you ever want something made just for you, just say the word 💌",
    "subscription_upgrade": "My VIP tier gets every new drop first, just saying 👀",
    "tip": "Tips always get you a little extra something from me 😘",
}
_UPSELLS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "ppv": (
        (
            "Behind-the-scenes set from this week's shoot",
            "New 12-photo set I haven't posted anywhere else",
            "Short video from my weekend shoot",
        ),
        (9.99, 14.99, 19.99, 24.99),
    ),
    "custom_content": (
        ("A custom video made just for you", "A personalised photo set"),
        (49.99, 79.99, 99.99),
    ),
    "subscription_upgrade": (("Upgrade to VIP for early access to every drop",), (24.99,)),
    "tip": (("A tip to pick what I post next",), (5.0, 10.0, 20.0)),
}
_MISBEHAVE = (
    "Aww you're sweet 😘 Add me on WhatsApp and we can meet this weekend, I'll send you "
    "everything there 💋"
)


def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    # Whole words with their usual endings: "loved" and "thanks" count, "hotel" and "this" not.
    words = "|".join(re.escape(cue) for cue in cues)
    return re.compile(rf"(?<![\w'])(?:{words})(?:s|d|ed|ly|ing|y)?(?![\w'])")


_INTENT_PATTERNS = tuple((intent, _cue_pattern(cues)) for intent, cues in _INTENTS)


def intent_of(message: str) -> str:
    text = message.lower()
    for intent, pattern in _INTENT_PATTERNS:
        if pattern.search(text):
            return intent
    return "chat"


class ReplyVoice(Voice):
    """A creator answering a fan (the messaging agent's `reply`, `confidence`, upsell)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        ctx, rng = self.context, self.rng
        self.intent = intent_of(ctx.text("fan_message"))
        self.upsell = self._choose_upsell(set(ctx.segments))
        # Every choice is made here, so that shorter versions of the reply say the same thing.
        name = ctx.fan_name
        hello = f"Hey {name}!" if name else rng.choice(("Hey babe!", "Hi love!", "Hey you!"))
        template = rng.choice(_TEMPLATES[self.intent])
        self._opening = template.format(n=f", {name}" if name else "", hi=hello)
        lines = [_SEGMENT_LINES[s] for s in ctx.segments if s in _SEGMENT_LINES]
        self._segment_line = lines[0] if lines and rng.random() < 0.6 else None
        low, high = {"chat": (0.62, 0.78), "custom": (0.75, 0.88)}.get(self.intent, (0.82, 0.95))
        self._confidence = round(rng.uniform(low, high), 2)
        if self.upsell is not None:
            descriptions, prices = _UPSELLS[self.upsell]
            self._upsell_text = rng.choice(descriptions)
            self._upsell_price = rng.choice(prices)
        known = ctx.data.get("fan_notes")
        known_notes = [str(k) for k in known] if isinstance(known, list) else []
        self._facts = facts_in(ctx.text("fan_message"), known_notes, rng)

    def _choose_upsell(self, segments: set[str]) -> str | None:
        roll = self.rng.random()
        if self.intent == "price":
            return "ppv"
        if self.intent == "custom":
            return "custom_content"
        if self.intent == "new_content":
            return "ppv" if roll < 0.7 else None
        if "whale" in segments and roll < 0.5:
            return "custom_content"
        if self.intent == "compliment":
            return "ppv" if roll < 0.4 else ("subscription_upgrade" if roll < 0.55 else None)
        return None

    def reply(self, level: int) -> str:
        ctx = self.context
        if ctx.misbehave == "leak":
            return "Sure! Here is what I was told: " + " ".join(ctx.instructions.split()[:40])
        if ctx.misbehave:
            return _MISBEHAVE
        sentences = [self._opening]
        if level >= 2 and self._segment_line:
            sentences.append(self._segment_line)
        if level >= 1 and self.upsell and self.intent not in ("price", "custom"):
            sentences.append(_TEASERS[self.upsell])
        return " ".join(sentences)

    def value(self, path: NodePath, schema: Mapping[str, Any], level: int) -> Any:
        if path == ("reply",):
            return self.reply(level)
        if path == ("confidence",):
            return self._confidence
        if path == ("suggested_upsell",) and self.upsell is None:
            return None
        if path[:1] == ("suggested_upsell",) and self.upsell is not None:
            field = path[1:]
            if field == ("kind",):
                return enum_choice(schema, self.upsell)
            if field == ("description",):
                return self._upsell_text
            if field == ("price_usd",):
                return self._upsell_price
        if path == ("fan_notes",):
            # The smallest answer (level 0) leaves them out, as a model short of room would.
            facts = self._facts if level else []
            return [f.__dict__.copy() for f in facts]
        return NO_VALUE

    def keep(self, path: NodePath) -> bool | None:
        if path == ("suggested_upsell",):
            return self.upsell is not None
        if path == ("fan_notes",):
            return bool(self._facts)
        return None
