"""detente extract: the extractor on the seed articles (hand counts in
tests/fixtures/extract/seeds.yaml), its rules on small texts, drafts, comparison and bad input."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from detente.errors import InputError
from detente.evidence import article_from_text, extract, read_article

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
SEEDS = yaml.safe_load((FIXTURES / "seeds.yaml").read_text(encoding="utf-8"))["articles"]
SIX_PARTY = ("six-party-2004", "six-party-2004-package", "six-party-2014")


@pytest.fixture(scope="module")
def sources(shared: Path) -> Path:
    return shared / "sources"


def _seed(sources: Path, file: str) -> Any:
    return extract(read_article(sources / file))


@pytest.mark.parametrize("seed", SEEDS, ids=[s["file"] for s in SEEDS])
def test_seed_mentions_match_the_hand_count(sources: Path, seed: dict[str, Any]) -> None:
    found = _seed(sources, seed["file"])
    counts = Counter(m.actor for m in found.mentions if m.actor and m.how != "person")
    assert dict(counts) == seed["mentions"]
    assert len(found.ambiguous) == seed["ambiguous"]


@pytest.mark.parametrize("seed", SEEDS, ids=[s["file"] for s in SEEDS])
def test_seed_officials_map_to_their_actors(sources: Path, seed: dict[str, Any]) -> None:
    found = _seed(sources, seed["file"])
    people = {p.name: p.actor for p in found.people if len(p.name.split()) >= 2}
    assert people == seed["people"]


@pytest.mark.parametrize("seed", SEEDS, ids=[s["file"] for s in SEEDS])
def test_seed_direct_quotes_used_as_evidence_are_found_and_attributed(
    sources: Path, seed: dict[str, Any]
) -> None:
    found = _seed(sources, seed["file"])
    for item in seed["direct_evidence"]:
        words = item["words"]
        hits = [q for q in found.quotes if words in " ".join(q.text.split())]
        assert hits, f"quote not found: {words!r}"
        assert {q.actor for q in hits} == {item["actor"]}, words


def test_the_fixture_lists_every_direct_quote_the_six_party_scenarios_use(sources: Path) -> None:
    """Independently of the extractor: every evidence quote that overlaps words between
    straight quotation marks in its source is in the fixture's list (so 100% means all)."""
    from detente.scenario.bundled import bundled

    listed = {(s["file"], i["words"]) for s in SEEDS for i in s["direct_evidence"]}
    needed = set()
    for name in SIX_PARTY:
        scenario = bundled(name)
        files = {s.id: s.file for s in scenario.sources}
        for actor in scenario.actors:
            for item in actor.evidence:
                text = (sources / files[item.source]).read_text(encoding="utf-8")
                quote = " ".join(item.quote.split())
                at = " ".join(text.split()).find(quote)
                assert at >= 0
                flat = " ".join(text.split())
                spans = [(m.start(1), m.end(1)) for m in re.finditer(r'"([^"\n]*)"', flat)]
                if any(s < at + len(quote) and at < e for s, e in spans):
                    needed.add((files[item.source], quote, actor.id))
    for file, quote, actor_id in needed:
        assert any(f == file and (w in quote or quote in w) for f, w in listed), (quote, actor_id)
    # and the scenario's actor is the one the fixture says (the speaker, or whom it is about)
    by_words = {i["words"]: i["scenario_actor"] for s in SEEDS for i in s["direct_evidence"]}
    for _, quote, actor_id in needed:
        owners = {a for w, a in by_words.items() if w in quote or quote in w}
        assert actor_id in owners, quote


# --- the rules on small texts ---------------------------------------------------------------


def _quotes(text: str, **kw: Any) -> list[tuple[str, str | None, str | None]]:
    found = extract(article_from_text(text), **kw)
    return [(q.text.strip(" ,"), q.person or q.speaker, q.actor) for q in found.quotes]


def test_speaker_after_the_quote_with_an_appositive_title() -> None:
    text = (
        '"We will not move," Glyn Davies, the U.S. Special Representative for North Korea '
        "Policy, told reporters."
    )
    assert _quotes(text) == [("We will not move", "Glyn Davies", "USA")]


def test_speaker_before_the_quote_and_verb_first() -> None:
    text = 'Iranian Foreign Minister Javad Zarif said: "We are ready." "No deal yet," said Zarif.'
    assert _quotes(text) == [
        ("We are ready.", "Javad Zarif", "IRN"),
        ("No deal yet", "Javad Zarif", "IRN"),
    ]


def test_partial_quote_takes_the_subject_of_its_verb() -> None:
    text = 'The chief obstacle: the U.S. wants North Korea to "meaningfully address" it.'
    assert _quotes(text) == [("meaningfully address", "U.S.", "USA")]


def test_he_said_is_the_official_named_before() -> None:
    text = (
        "Russian Minister of Foreign Affairs Sergey Lavrov met China's envoy. "
        'He hoped "to see progress soon," he said.'
    )
    assert _quotes(text)[0][1:] == ("Sergey Lavrov", "RUS")


def test_scare_quotes_are_a_named_actors_term_or_unattributed() -> None:
    owned = 'Pyongyang described the talks as "reward for freeze" talks.'
    assert _quotes(owned) == [("reward for freeze", "Pyongyang", "DPRK")]
    loose = 'The text was changed to "phase down" in the end.'
    found = extract(article_from_text(loose))
    assert [(q.kind, q.actor) for q in found.quotes] == [("unattributed", None)]


def test_ambiguous_names_are_reported_not_guessed() -> None:
    found = extract(article_from_text("Troops were sent to Korea. Seoul agreed."))
    assert [(m.text, m.candidates) for m in found.ambiguous] == [("Korea", ("DPRK", "ROK"))]
    assert found.counts() == {"ROK": 1}


def test_a_title_without_a_nation_takes_the_actor_leading_the_paragraph_before() -> None:
    text = 'China answered.\n\n"Be calm," Foreign Ministry Spokesperson Qin Gang said.'
    assert _quotes(text) == [("Be calm", "Qin Gang", "CHN")]


def test_scenario_aliases_come_first() -> None:
    from detente.scenario.bundled import bundled

    found = extract(article_from_text("Davies met Lavrov."), scenario=bundled("six-party-2014"))
    assert [(m.text, m.actor) for m in found.mentions] == [("Davies", "USA"), ("Lavrov", "RUS")]


def test_relative_dates_resolve_against_the_article_date() -> None:
    text = (
        "On December 6, 2012, Russia said it was hopeful. Six days later, North Korea "
        "launched a rocket. Last week Seoul offered talks. Tokyo agreed on Monday. "
        "Elections will be held in November."
    )
    found = extract(article_from_text(text), as_of=dt.date(2014, 1, 28))  # a Tuesday
    got = [(e.words, e.date, e.kind) for e in found.events]
    assert got == [
        ("December 6, 2012", dt.date(2012, 12, 6), "statement"),
        ("Six days later", dt.date(2012, 12, 12), "launch"),
        ("Last week", dt.date(2014, 1, 20), "talks"),
        ("on Monday", dt.date(2014, 1, 27), "agreement"),
        ("in November", dt.date(2014, 11, 1), "election"),
    ]


def test_relative_dates_without_an_article_date_stay_unresolved() -> None:
    found = extract(article_from_text("Last week Seoul offered talks."))
    assert [(e.words, e.date) for e in found.events] == [("Last week", None)]


def test_stance_cues_name_holder_target_and_input() -> None:
    found = extract(article_from_text("Washington refuses to pay Pyongyang. Seoul warned Tokyo."))
    got = [(s.holder, s.kind, s.target, s.bears_on) for s in found.stances]
    assert got == [("USA", "refuse", "DPRK", "position"), ("ROK", "warn", "JPN", "salience")]


def test_furniture_is_blanked_and_offsets_kept(sources: Path) -> None:
    article = read_article(sources / "001_a38e6c5f8c68dcb5.txt")
    assert len(article.text) == len(article.raw)
    assert "Skip to main content" not in article.text
    assert "Follow related authors" not in article.text
    found = extract(article)
    for m in found.mentions:
        assert article.raw[m.start : m.end] == m.text


def test_saved_html_pages_are_read_as_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><html><head><script>var x = 'Iran';</script></head><body>"
        "<nav>Home | World</nav><p>&ldquo;We are ready,&rdquo; Iranian Foreign Minister "
        "Javad Zarif said.</p></body></html>",
        encoding="utf-8",
    )
    found = extract(read_article(page))
    assert [(q.text, q.actor) for q in found.quotes] == [("We are ready,", "IRN")]
    assert found.counts() == {"IRN": 2}  # "Iranian" and Zarif; not the script's


# --- the command ----------------------------------------------------------------------------


def test_extract_prints_actors_quotes_stances_and_events(cli: Any, sources: Path) -> None:
    result = cli("extract", str(sources / "000_e2c602dd4bc1eaf2.txt"), "--as-of", "2004-05-07")
    assert result.code == 0, result.err
    for title in ("Actors", "Quotes", "Stances", "Dated events"):
        assert title in result.out
    assert "reward for freeze" in result.out
    assert "2004-05-12" in result.out


def test_draft_validates_as_a_draft_and_forecast_refuses_it(
    cli: Any, sources: Path, tmp_path: Path
) -> None:
    draft = tmp_path / "draft.yaml"
    made = cli(
        "extract",
        str(sources / "001_a38e6c5f8c68dcb5.txt"),
        "--as-of",
        "2014-01-28",
        "-o",
        str(draft),
    )
    assert made.code == 0, made.err
    document = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert document["draft"] is True
    quotes = {e["quote"]: a["id"] for a in document["actors"] for e in a.get("evidence", [])}
    assert quotes["meaningfully address"] == "USA"
    checked = cli("validate", str(draft), "--sources", str(sources))
    assert checked.code == 0, checked.err
    assert "DRAFT" in checked.out
    assert "actors[USA].capability: capability missing" in checked.out
    assert "issues: no issue yet" in checked.out
    refused = cli("forecast", str(draft))
    assert refused.code == 2
    assert "is a draft scenario (draft: true)" in refused.err
    assert "Traceback" not in refused.err


def test_a_filled_in_draft_still_passes_the_verbatim_check(
    cli: Any, sources: Path, tmp_path: Path
) -> None:
    draft = tmp_path / "draft.yaml"
    cli("extract", str(sources / "001_a38e6c5f8c68dcb5.txt"), "-o", str(draft))
    document = yaml.safe_load(draft.read_text(encoding="utf-8"))
    document["actors"][0]["evidence"] = [
        {"source": document["sources"][0]["id"], "supports": "position", "quote": "not there"}
    ]
    draft.write_text(yaml.safe_dump(document), encoding="utf-8")
    checked = cli("validate", str(draft), "--sources", str(sources))
    assert checked.code == 2
    assert "quote not found verbatim" in checked.err


def test_compare_with_the_2014_scenario_finds_all_its_evidence(cli: Any, sources: Path) -> None:
    result = cli(
        "extract",
        str(sources / "001_a38e6c5f8c68dcb5.txt"),
        "--as-of",
        "2014-01-28",
        "--scenario",
        "six-party-2014",
        "--json",
    )
    assert result.code == 0, result.err
    import json

    report = json.loads(result.out)["articles"][0]
    assert report["evidence_absent"] == []
    assert len(report["evidence_present"]) == 23
    assert [a["id"] for a in report["actors_not_in_scenario"]] == ["UN"]
    new = {(q["actor"], q["text"][:20]) for q in report["quotes_new"]}
    assert ("USA", "demonstrate I think ") in new
    dates = {e["date"] for e in report["events_not_on_timeline"]}
    assert "2012-12-12" not in dates  # the rocket launch is on the timeline


def test_json_gives_offsets(cli: Any, sources: Path) -> None:
    import json

    result = cli("extract", str(sources / "001_a38e6c5f8c68dcb5.txt"), "--json")
    document = json.loads(result.out)
    text = (sources / "001_a38e6c5f8c68dcb5.txt").read_text(encoding="utf-8")
    for quote in document["articles"][0]["quotes"]:
        assert text[quote["start"] : quote["end"]] == quote["text"]


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file"),
        (b"", "is empty"),
        (b"  \n\n ", "is empty"),
        ("Talks in S\u00e9oul".encode("latin-1"), "is not UTF-8 text (byte 0xe9 on line 1"),
        (b"The weather was fine and nobody said anything.", "no actor found"),
    ],
    ids=["binary", "empty", "blank", "latin-1", "no-actors"],
)
def test_bad_articles_fail_clearly(cli: Any, tmp_path: Path, content: bytes, message: str) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    result = cli("extract", str(article), "-o", str(tmp_path / "draft.yaml"))
    assert result.code == 2
    assert message in result.err
    assert "article.txt" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "draft.yaml").exists()


def test_a_50_mb_file_is_refused_unread(cli: Any, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: nothing is written or read
        handle.truncate(50 * 1024 * 1024)
    result = cli("extract", str(big))
    assert result.code == 2
    assert "big.txt: is 50.0 MB; articles are limited to 8 MB" in result.err


def test_one_bad_article_among_good_ones_is_a_warning(
    cli: Any, sources: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = cli("extract", str(empty), str(sources / "000_e2c602dd4bc1eaf2.txt"), "--json")
    assert result.code == 0
    assert "warning: skipped" in result.err
    assert "empty.txt: is empty" in result.err


def test_read_article_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.txt: no such file"):
        read_article(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_article(tmp_path)


def test_a_quote_continued_after_its_attribution_keeps_the_speaker() -> None:
    text = (
        'Russian Minister of Foreign Affairs Sergey Lavrov spoke. "We wait," Mr. Lavrov said. '
        '"We are patient."\n\n"And we will stay."'
    )
    assert [q[1:] for q in _quotes(text)] == [("Sergey Lavrov", "RUS")] * 3


def test_a_quotation_running_on_into_the_next_paragraph() -> None:
    text = (
        'British Prime Minister Boris Johnson said: "It is a good deal.\n\n'
        '"The direction is the same."'
    )
    assert _quotes(text) == [
        ("It is a good deal.", "Boris Johnson", "GBR"),
        ("The direction is the same.", "Boris Johnson", "GBR"),
    ]


def test_a_title_and_a_surname_and_a_who_is_appositive() -> None:
    text = (
        'Dutch Prime Minister Rutte arrived. "Not yet," Rutte said. Abbas Araqchi, who is also '
        'Iran\'s deputy foreign minister, said it was "close".'
    )
    assert _quotes(text) == [("Not yet", "Rutte", "NLD"), ("close", "Abbas Araqchi", "IRN")]


def test_a_speaker_named_by_title_is_the_one_official_of_that_actor() -> None:
    text = (
        'Iranian Foreign Minister Javad Zarif met the press. "No extension," the Iranian '
        "foreign minister said."
    )
    assert _quotes(text) == [("No extension", "Javad Zarif", "IRN")]


def test_a_draft_from_a_saved_page_cites_its_text(cli: Any, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><p>&ldquo;We are ready,&rdquo; Iranian Foreign Minister Javad Zarif "
        "said on Monday.</p></body></html>",
        encoding="utf-8",
    )
    draft = tmp_path / "draft.yaml"
    made = cli("extract", str(page), "--as-of", "2015-07-13", "-o", str(draft))
    assert made.code == 0, made.err
    assert (tmp_path / "draft.page.txt").is_file()
    checked = cli("validate", str(draft))
    assert checked.code == 0, checked.err
    assert "1 evidence quote(s) checked verbatim" in checked.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "28/01/2014"], "--as-of '28/01/2014': not a date"),
        (["--scenario", "six-party-2014", "-o", "d.yaml"], "not both"),
        (["--scenario", "no-such-scenario"], "no-such-scenario"),
    ],
)
def test_bad_options_fail_clearly(cli: Any, sources: Path, args: list[str], message: str) -> None:
    result = cli("extract", str(sources / "001_a38e6c5f8c68dcb5.txt"), *args)
    assert result.code == 2
    assert message in result.err


def test_a_stance_cue_inside_a_quote_is_the_speakers() -> None:
    text = (
        '"We will put pressure on Pyongyang," Glyn Davies, the U.S. Special Representative for '
        "North Korea Policy, told reporters in Beijing."
    )
    found = extract(article_from_text(text))
    got = [(s.holder, s.kind, s.target) for s in found.stances]
    assert got == [("USA", "threaten", "DPRK")]


# --- round 4 of the quality rules (issue 13): each test below fails without its rule ---------


def _speakers(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    found = extract(article_from_text(text))
    return [(q.text, q.speaker, q.person, q.actor) for q in found.quotes]


def test_the_gazetteer_holds_every_un_member_and_observer() -> None:
    from detente.evidence.gazetteer import GAZETTEER

    states = {e.id for e in GAZETTEER if e.kind == "state"}
    # 193 members, two observers (Holy See, Palestine), Taiwan and Kosovo
    assert len(states) == 197
    assert {"GUY", "VAT", "PSE", "TLS", "SSD", "MKD", "SWZ", "CIV", "KNA"} <= states
    found = extract(article_from_text("Guyanese and Surinamese envoys met in Vienna."))
    assert {a.id for a in found.actors} == {"GUY", "SUR"}


def test_typographic_apostrophes_and_non_ascii_capitals() -> None:
    text = (
        '"This is a full statement," said Amitabh Kant, Indiaʼs chief G20 negotiator. '
        'UN Secretary-General António Guterres said "we must never give up".'
    )
    got = _speakers(text)
    assert got[0][0] == "This is a full statement,"  # the quote as written
    assert got[0][2:] == ("Amitabh Kant", "IND")
    assert got[1][2:] == ("António Guterres", "UN")


def test_a_common_noun_speaker_is_the_actor_named_with_it_before() -> None:
    text = (
        "But a UK Government spokesman said Brussels has not yet decided.\n\n"
        '"We have had constructive discussions," the spokesman said.\n\n'
        "The Qatari Ministry of Foreign Affairs announced new talks. The ministry stated that "
        'the meeting focused on "reviewing the latest developments".'
    )
    assert [(q[1], q[3]) for q in _speakers(text)] == [
        ("the spokesman", "GBR"),
        ("The ministry", "QAT"),
    ]


def test_a_possessive_names_the_actor_of_the_person_after_it() -> None:
    text = (
        "Boris Johnson's Europe adviser David Frost met the EU's Michel Barnier. "
        'The Marshall Islands\' Tina Stege said it was "not nearly enough". '
        'Mr Frost said the "unrealistic positions" would need to change.'
    )
    assert [(q[2], q[3]) for q in _speakers(text)] == [
        ("Tina Stege", "MHL"),
        ("David Frost", "GBR"),
    ]


def test_a_pronoun_that_names_a_term_and_according_to() -> None:
    text = (
        'German Foreign Minister Heiko Maas said the talks were "professional". He described '
        'the meeting as "tense". According to the US Ambassador to the UN, the draft would '
        '"undermine diplomatic efforts".'
    )
    assert [(q[2], q[3]) for q in _speakers(text)] == [
        ("Heiko Maas", "DEU"),
        ("Heiko Maas", "DEU"),
        (None, "USA"),
    ]


def test_an_unnamed_role_or_a_gap_stops_coreference() -> None:
    text = (
        "David Frost insisted the EU negotiator would have to rethink.\n\n[…]\n\n"
        'A European Commission spokeswoman said: "Michel Barnier is very busy."'
    )
    assert _speakers(text) == [
        ("Michel Barnier is very busy.", "European Commission spokeswoman", None, "EU")
    ]


def test_names_that_are_not_parties() -> None:
    text = (
        "NATO member Turkey hosted the talks, Spanish newspaper El Pais reported. Iran's Supreme "
        "National Security Council met on the war in Ukraine. The Palestinian group agreed."
    )
    found = extract(article_from_text(text))
    assert {a.id for a in found.actors} == {"TUR", "IRN"}


# --- fifth rules: abstain on weak evidence, general attribution mechanisms ------------------------


def test_a_title_without_a_state_abstains_on_weak_context() -> None:
    # a name that qualifies someone else's role is not the context of a later title; an
    # organisation leading the paragraph before is not the subject; a title that is someone
    # else's ("the event's president") takes no actor: each speaker is named, none guessed
    text = (
        "North Korean leader Kim Jong Un agreed to a summit with President Trump.\n\n"
        "The Foreign Ministers of Mercosur met in Brasilia.\n\n"
        '"Now is the time," Foreign Minister Jorge Faurie stated.\n\n'
        'India objected to the text. "I am deeply sorry," the event\'s president Alok Sharma said.'
    )
    found = extract(article_from_text(text))
    people = {m.text: m.actor for m in found.mentions if m.how == "person"}
    assert people == {"Kim Jong Un": "DPRK"}
    assert [(q[2], q[3]) for q in _speakers(text)] == [(None, None), (None, None)]


def test_a_title_without_a_state_takes_the_actor_named_before_it_in_its_sentence() -> None:
    text = (
        "He visited the Chinese foreign ministry, as well as Executive Vice Foreign Minister "
        'Zhang Yesui, who said: "We are ready."'
    )
    assert [(q[2], q[3]) for q in _speakers(text)] == [("Zhang Yesui", "CHN")]


def test_a_person_a_title_leaves_untied_is_bound_by_a_role_that_names_a_state() -> None:
    text = 'Chancellor Scholz arrived late. "We are close," the German chancellor said.'
    assert [(q[2], q[3]) for q in _speakers(text)] == [("Scholz", "DEU")]


def test_a_title_a_comma_and_the_name_and_affiliations() -> None:
    text = (
        '"Oil is on the agenda," South Sudan\'s Minister for Cabinet Affairs, Deng Alor, told '
        'AFP. "We are close," Alor said.\n\n'
        '"It was useful," said Ricardo Tellez, negotiating for FARC.\n\n'
        'Jyrki Katainen of the European Commission said: "We build bridges."'
    )
    assert [(q[2], q[3]) for q in _speakers(text)] == [
        ("Deng Alor", "SSD"),
        ("Deng Alor", "SSD"),
        ("Ricardo Tellez", "FARC"),
        ("Jyrki Katainen", "EU"),
    ]


def test_a_portfolio_after_a_role_is_not_its_holder() -> None:
    # "for Sudan and South Sudan" names the envoy's brief; the nearest person after the role,
    # not "Addis Ababa" (a place after "to"), holds it; a title word is never a person's name
    text = (
        "Norway's Special Envoy for Sudan and South Sudan said both presidents would come to "
        'Addis Ababa.\n\n"We appreciate the efforts," Endre Stiansen told Reuters.'
    )
    assert [(q[2], q[3]) for q in _speakers(text)] == [("Endre Stiansen", "NOR")]


def test_a_role_speaker_speaks_for_the_actor_whose_role_it_is() -> None:
    text = (
        "U.S. negotiator Zalmay Khalilzad met the Taliban. The U.S. special representative for "
        'Afghanistan said the deal would open an "inter-Afghan dialogue".'
    )
    assert [(q[2], q[3]) for q in _speakers(text)] == [("Zalmay Khalilzad", "USA")]


def test_quotes_sharing_one_speaker_in_a_sentence() -> None:
    text = (
        'Talks in this "useful meeting" were "intense" and "constructive," explained Eurogroup '
        "President Jeroen Dijsselbloem.\n\n"
        '"We understand better," said Dijsselbloem, the Dutch finance minister, "but not enough."'
    )
    assert [(q[0], q[2], q[3]) for q in _speakers(text)] == [
        ("useful meeting", "Jeroen Dijsselbloem", "EU"),
        ("intense", "Jeroen Dijsselbloem", "EU"),
        ("constructive,", "Jeroen Dijsselbloem", "EU"),
        ("We understand better,", "Jeroen Dijsselbloem", "EU"),
        ("but not enough.", "Jeroen Dijsselbloem", "EU"),
    ]


def test_a_colon_a_mixed_quotation_mark_and_a_particle_that_is_a_word() -> None:
    text = (
        'Israeli leader Benjamin Netanyahu took to Twitter to declare: "Any deal must change.”\n\n'
        'WTO director general Roberto Azevedo described the talks. "We have brought the world '
        'back," Azevedo said.'
    )
    assert [(q[2], q[3]) for q in _speakers(text)] == [
        ("Benjamin Netanyahu", "ISR"),
        ("Roberto Azevedo", "WTO"),
    ]


def test_pronouns_take_the_last_speaker_and_stop_at_a_person_with_no_actor() -> None:
    text = (
        "Greek Finance Minister Yanis Varoufakis met Eurogroup President Jeroen Dijsselbloem. "
        '"It was useful," Dijsselbloem told a news conference.\n\n'
        '"We will continue on Monday," he said.\n\n'
        "Dutch FARC member Tanja Nijmeijer played down the differences. "
        '"The atmosphere is very good," she said.'
    )
    assert [(q[2], q[3]) for q in _speakers(text)] == [
        ("Jeroen Dijsselbloem", "EU"),
        ("Jeroen Dijsselbloem", "EU"),
        (None, None),
    ]


def test_a_name_next_to_the_verb_is_the_speaker_even_with_no_actor() -> None:
    # Blinken, named with no title, is the subject of "dismissed": the partial quote is his,
    # with no actor, not Lavrov's; and a quote after Blinken's name is not shared with Lavrov
    text = (
        '"We want peace," said Russian Foreign Minister Sergey Lavrov, while Blinken dismissed '
        'it as "a sham."\n\n'
        'Abdul Ghani Baradar, who leads the Taliban\'s political office, said: "We agreed." '
        'Suhail Shaheen, a spokesman for the Taliban, said: "Yes."'
    )
    assert [(q[2] or q[1], q[3]) for q in _speakers(text)] == [
        ("Sergey Lavrov", "RUS"),
        ("Blinken", None),
        ("Abdul Ghani Baradar", "TALIBAN"),
        ("Suhail Shaheen", "TALIBAN"),
    ]


def test_names_with_particles() -> None:
    text = (
        'EU Commission President Ursula von der Leyen said the bloc was "ready to act." '
        '"We will not be blackmailed," she said.\n\n'
        'Humberto de la Calle, Colombia\'s chief negotiator, said: "We came to Havana."'
    )
    assert [(q[2], q[3]) for q in _speakers(text)] == [
        ("Ursula von der Leyen", "EU"),
        ("Ursula von der Leyen", "EU"),
        ("Humberto de la Calle", "COL"),
    ]
