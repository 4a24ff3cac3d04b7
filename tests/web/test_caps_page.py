"""The per-fan daily caps on /inbox: the creator and the agency's owners and managers set them
there, as PUT /api/drafts/caps does; a chatter sees them but has no form, and gets 404 posting."""

from __future__ import annotations

from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import User
from tests.agencies.helpers import new_team
from tests.apphelpers import visible_text
from tests.web.conftest import Browser
from tests.web.test_team_pages import logged_in


async def _caps(browser: Browser, creator: User) -> dict[str, int]:
    response = await browser.client.get(
        "/api/drafts/caps", headers={"X-Creator-Id": str(creator.id)}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _act_for(browser: Browser, creator: User) -> None:
    await browser.submit("/dashboard", "/acting", creator_id=str(creator.id), next="/")


async def test_a_manager_sets_the_caps_on_the_inbox_and_the_api_reads_them(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.manager) as max_:
        await _act_for(max_, team.creator_1)
        before = (await max_.get("/inbox")).text
        saved = await max_.submit(
            "/inbox",
            "/inbox/caps",
            dms_per_day="5",
            ppvs_per_day="2",
            for_creator=str(team.creator_1.id),
        )
        after = await max_.get(saved.headers["location"])
        caps_1 = await _caps(max_, team.creator_1)
        caps_2 = await _caps(max_, team.creator_2)

    assert 'action="/inbox/caps"' in before
    assert "Daily caps: 3 messages and 1 PPV offer per fan a day" in visible_text(before)
    assert saved.status_code == 303
    assert "Daily caps saved" in after.text
    assert "Daily caps: 5 messages and 2 PPV offers per fan a day" in visible_text(after.text)
    assert caps_1 == {"dms_per_day": 5, "ppvs_per_day": 2}
    assert caps_2 == {"dms_per_day": 3, "ppvs_per_day": 1}  # another creator's: untouched


async def test_a_form_drawn_for_one_creator_does_not_set_another_creators_caps(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.manager) as max_:
        await _act_for(max_, team.creator_2)  # in another tab, since the form was drawn
        switched = await max_.submit(
            "/inbox",
            "/inbox/caps",
            dms_per_day="9",
            ppvs_per_day="9",
            for_creator=str(team.creator_1.id),
        )
        caps_1 = await _caps(max_, team.creator_1)
        caps_2 = await _caps(max_, team.creator_2)

    assert switched.status_code == 409
    assert caps_1 == caps_2 == {"dms_per_day": 3, "ppvs_per_day": 1}


async def test_a_chatter_sees_the_caps_but_no_form_and_gets_404_posting_it(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.chatter_a) as ana:
        inbox = (await ana.get("/inbox")).text
        posted = await ana.submit(
            "/inbox",
            "/inbox/caps",
            dms_per_day="1000",
            ppvs_per_day="1000",
            for_creator=str(team.creator_1.id),
        )
        caps = await _caps(ana, team.creator_1)

    assert 'action="/inbox/caps"' not in inbox
    assert 'name="dms_per_day"' not in inbox
    assert "Daily caps: 3 messages and 1 PPV offer per fan a day" in visible_text(inbox)
    assert posted.status_code == 404
    assert "owners and managers set the fan caps" in posted.text
    assert caps == {"dms_per_day": 3, "ppvs_per_day": 1}


async def test_caps_out_of_range_or_not_numbers_are_refused_in_words_and_change_nothing(
    browser: Browser,
) -> None:
    """The creator on their own inbox: the form is theirs too."""
    over = await browser.submit("/inbox", "/inbox/caps", dms_per_day="1001", ppvs_per_day="1")
    word = await browser.submit("/inbox", "/inbox/caps", dms_per_day="4", ppvs_per_day="abc")
    negative = await browser.submit("/inbox", "/inbox/caps", dms_per_day="-1", ppvs_per_day="1")
    fraction = await browser.submit("/inbox", "/inbox/caps", dms_per_day="2.5", ppvs_per_day="1")
    caps = await _caps(browser, browser.user)

    assert over.status_code == word.status_code == negative.status_code == 422
    assert fraction.status_code == 422
    over_text = " ".join(visible_text(over.text).split())
    assert "Messages per fan per day must be a whole number from 0 to 1000" in over_text
    word_text = " ".join(visible_text(word.text).split())
    assert "PPV offers per fan per day must be a whole number from 0 to 1000" in word_text
    # The form is open again with what was typed, the refusal in it and nowhere else.
    form = word.text.split('action="/inbox/caps"', 1)[1].split("</form>", 1)[0]
    assert 'role="alert"' in form
    assert word.text.count('role="alert"') == 1
    assert 'value="abc"' in form
    assert '<details class="card caps" open>' in word.text
    assert caps == {"dms_per_day": 3, "ppvs_per_day": 1}
