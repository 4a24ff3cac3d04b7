"""The compliance guard on fan messages (DESIGN §2.1, issue 12).

normalize.py  undo disguises (look-alikes, fullwidth, emoji letters, invisible characters)
phrases.py    the phrase notation of the rule packs
lexicon.py    words and phrases found through leetspeak, spacing and repeated letters
contacts.py   detectors: phone numbers (also in words), e-mails (also "at"/"dot"), links,
              handles, $cashtags, crypto wallet addresses
matching.py   a set of rules compiled once into one matcher
rules.py      the platform rule packs (rules/*.toml: versioned data)
service.py    check_message: the verdict and its reasons (pure, no I/O); custom word rules
words.py      the creator's own word list (block / escalate), import
violations.py the violation log, redacted excerpts, counts by rule
guard.py      pack + word list + log, as endpoints and agents use it
"""
