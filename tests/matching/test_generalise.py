"""Rules that help the matcher on groups it has never seen: kana readings, facilities named as the
owner of an activity, who is served over how, and a broad stated field yielding to specific text."""

from __future__ import annotations

import pytest

from knowledge.normalize import fold
from matching import DataError, GroupProfile, Matcher
from matching import messages as msg
from matching.loader import DIVISIONS_PATH, FIELDS_PATH
from matching.readings import READINGS_PATH, alias_keys, all_words, compute, has_kanji, load_cache
from matching.scanner import Scanner


@pytest.fixture(scope="module")
def m() -> Matcher:
    return Matcher.load()


def ranked(m: Matcher, description: str = "", fields=(), name: str = "") -> list[str]:
    r = m.match(GroupProfile(name=name, description=description, fields=list(fields)), top=3)
    return [x.division_id for x in r.matches]


# --- 1. kana readings of kanji words ----------------------------------------------------------
@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("としょかんの本のりさいくるのおてつだい", "toshokan"),
        ("こうみんかんのこうざにでています", "kominkan"),
        ("じどうかんであそぶ", "jido-seishonen"),
        ("ぼうはんぱとろうる", "chiiki-anzen"),
        ("くさとりとかだんのておいれ", "kankyo-seisaku"),
    ],
)
def test_hiragana_spelling_finds_the_kanji_word(m, description, expected):
    assert ranked(m, description)[0] == expected


def test_reading_and_kanji_count_once(m):
    both = m.match(GroupProfile(description="図書館と、としょかん")).matches[0]
    once = m.match(GroupProfile(description="図書館と、本")).matches[0]
    assert both.division_id == once.division_id == "toshokan"
    assert both.score == once.score


def test_reasons_quote_the_word_as_listed(m):
    best = m.match(GroupProfile(description="としょかんのおはなしかい")).matches[0]
    assert any("「図書館」" in r for r in best.reasons), best.reasons
    r = m.match(GroupProfile(description="こうみんかんでぼうはんのうちあわせ"))
    assert r.matches[0].division_id == "chiiki-anzen"
    venue = next(d for d in r.matches if d.division_id == "kominkan")
    assert venue.reasons == ["「公民館」を会場にしています"]  # the venue is not quoted as the activity


def test_short_homophone_readings_are_not_used():
    # 口腔 and 高校 are both こうこう; two-kanji words need 5 kana, longer words 4.
    words = {"口腔": "口腔", "草取り": "草取り", "図書館": "図書館"}
    cache = {"口腔": "こうこう", "草取り": "くさとり", "図書館": "としよかん"}
    assert alias_keys(words, taken=[], cache=cache) == {"くさとり": "草取り", "としよかん": "図書館"}


def test_shared_or_taken_readings_are_dropped():
    words = {"公園": "公園", "講演会場": "講演会場", "交通安全": "交通安全"}
    cache = {"公園": "こうえんかいじよう", "講演会場": "こうえんかいじよう", "交通安全": "こうつうあんぜん"}
    assert alias_keys(words, taken=[], cache=cache) == {"こうつうあんぜん": "交通安全"}
    assert alias_keys(words, taken=["こうつうあんぜん"], cache=cache) == {}


def test_everyday_hiragana_does_not_fire(m):
    # すいとう (水筒) must not read as 出納, こうこうせい not as 口腔.
    assert "kaikei" not in ranked(m, "すいとうをもってこうえんにあつまります")
    assert "kenko" not in ranked(m, "こうこうせいのボランティア")[:1]


def test_shipped_reading_cache_is_current():
    # Stale after a data edit: run `python -m matching.readings` (the matcher still works meanwhile,
    # reading the missing words with SudachiPy at load time).
    wanted = {w for w in all_words() if has_kanji(w)}
    cache = load_cache(READINGS_PATH)
    assert wanted <= cache.keys(), sorted(wanted - cache.keys())[:10]
    sample = sorted(wanted)[::50]
    assert compute(sample) == {w: cache[w] for w in sample}


def test_scanner_reports_an_alias_as_its_key():
    for use_c in (True, False):
        s = Scanner(["図書館", "本"], aliases={"としよかん": "図書館"}, use_c=use_c)
        assert s.scan(fold("としょかんの本と図書館")) == ["図書館", "本"]
        assert s.hits(fold("としょかん")) == [("図書館", 0, 5)]


# --- 2. a division's own facility or name -----------------------------------------------------
@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("公民館の主催講座で映画を観て語り合う会", "kominkan"),
        ("児童館の工作教室のお手伝い", "jido-seishonen"),
        ("図書館の本のリサイクル市を手伝っています", "toshokan"),
        ("保育園の給食の試食会をひらく保護者の会", "hoiku"),
        ("交通対策課の講習会に協力しています", "kotsu-taisaku"),
    ],
)
def test_facility_as_owner_is_strong(m, description, expected):
    assert ranked(m, description)[0] == expected


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        # a building where the group meets is not what the group is about
        ("地域の公民館の調理室を借りて子ども食堂をひらいています", "kosodate-shien"),
        ("公民館で月2回、手話の練習をしています", "jiritsu-seikatsu"),
        ("市民会館を会場に防災の講演会", "chiiki-anzen"),
    ],
)
def test_facility_as_venue_is_an_ordinary_word(m, description, expected):
    assert ranked(m, description)[0] == expected


def test_registered_with_or_funded_by_a_facility_says_little(m):
    # 「社協のボランティアセンターに登録」: the second facility decides for both; the activity wins.
    assert (
        ranked(m, "社会福祉協議会のボランティアセンターに登録している読み聞かせのグループ")[0] == "toshokan"
    )
    assert ranked(m, "社協の助成を受けて手話教室をひらいています")[0] == "jiritsu-seikatsu"
    # ... while running the facility itself is the activity
    assert ranked(m, "社会福祉協議会のボランティアセンターの運営委員です")[0] == "chiiki-fukushi"


def test_a_park_as_the_venue_is_not_the_activity(m):
    assert ranked(m, "まいしゅう こうえんで こどもたちと そとあそびを しています")[0] == "jido-seishonen"
    assert ranked(m, "公園の花壇の手入れと草取り")[0] == "kankyo-seisaku"


def test_no_word_across_the_end_of_the_name(m):
    # 「…カフェ」+「これから…」 folds to …かふえこれから…, which holds えこ (エコ)
    r = m.match(GroupProfile(name="起業家カフェ", description="これから起業したい人の相談"))
    assert r.matches[0].division_id == "keizai"
    assert not any("エコ" in x for d in r.matches for x in d.reasons)


def test_a_facility_the_group_visits_is_not_the_activity(m):
    # 「児童館への慰問」: where the group goes to perform, not who runs the activity
    assert ranked(m, "手品の練習と、福祉施設や児童館への慰問", name="マジッククラブ")[0] == "community-bunka"
    assert ranked(m, "児童館への出張おはなし会")[0] == "toshokan"


def test_facility_reason(m):
    best = m.match(GroupProfile(description="公民館の文化活動として上映会")).matches[0]
    assert best.division_id == "kominkan"
    assert msg.REASON_FACILITY.format(ka="公民館", facility="公民館") not in best.reasons
    assert msg.REASON_FACILITY_ITSELF.format(facility="公民館") in best.reasons
    assert msg.REASON_OWNED.format(facility="公民館", word="文化活動", ka="公民館") in best.reasons
    named = m.match(GroupProfile(description="介護福祉課の講習会に協力しています")).matches[0]
    assert msg.REASON_NAMED.format(ka="介護福祉課") in named.reasons


def test_a_facility_belongs_to_one_division(tmp_path):
    text = DIVISIONS_PATH.read_text(encoding="utf-8")
    text = text.replace("facilities: [図書館, 図書館分室]", "facilities: [図書館, 図書館分室, 公民館]")
    path = tmp_path / "divisions.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="施設・名称「公民館」は課 kominkan にも"):
        Matcher.from_files(FIELDS_PATH, path)


# --- 3. who is served outweighs how -----------------------------------------------------------
@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("精神障害のある方への配食サービス", "jiritsu-seikatsu"),
        ("障害のある人の送迎と付き添いのボランティア", "jiritsu-seikatsu"),
        ("ひとり親家庭への食料支援", "kosodate-shien"),
        ("外国にルーツのある子どもの学習支援", "community-bunka"),
        # the mode's own people: unchanged
        ("ひきこもりの若者の居場所づくり", "chiiki-fukushi"),
        ("高齢者への配食と見守り", "kaigo-fukushi"),
        ("ひとり暮らしのお年寄りの見守り", "kaigo-fukushi"),
    ],
)
def test_who_is_served_outweighs_how(m, description, expected):
    assert ranked(m, description)[0] == expected


def test_open_to_everyone_is_not_a_target_population(m):
    # 「子どもからお年寄りまで誰でも」: お年寄り is an example, so 地域食堂 stays with the children's division
    assert ranked(m, "子どもからお年寄りまで誰でも来られる地域食堂")[0] == "kosodate-shien"
    assert ranked(m, "お年寄りの方への地域食堂")[0] == "kaigo-fukushi"


def test_how_yields_to_what(m):
    # 講座 says how; 予算/決算 say what the course is about
    assert ranked(m, "市の予算や決算を読み解く市民講座")[0] == "zaisei"
    assert ranked(m, "パソコンの市民講座")[0] == "kominkan"


def test_facility_as_the_destination_of_help(m):
    # 「保育園の送迎」: the nursery is where the children are taken, not who runs the help
    assert (
        ranked(m, "子どもの預かりや保育園の送迎をするファミリーサポートの会員の会")[0]
        == "kodomo-katei-center"
    )


def test_people_reason_names_both(m):
    best = m.match(GroupProfile(description="精神障害のある方への配食サービス")).matches[0]
    assert (
        msg.REASON_FOR_PEOPLE.format(words="「配食」", people="精神障害", ka="自立生活支援課") in best.reasons
    )


def test_a_course_is_only_how(m):
    # 「市民活動団体向け」 says who comes; what they learn decides (講座 is only how).
    assert ranked(m, "市民活動団体向けのチラシづくり講座")[0] == "community-bunka"
    assert ranked(m, "シニア向けのスマホ教室")[0] == "kominkan"


def test_service_mode_must_be_a_known_word(tmp_path):
    text = FIELDS_PATH.read_text(encoding="utf-8").replace(
        "service_modes: [配食,", "service_modes: [配食, 空中散歩,"
    )
    path = tmp_path / "fields.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="service_modes: 「空中散歩」"):
        Matcher.from_files(path, DIVISIONS_PATH)


# --- 4. a broad stated field yields to specific text ------------------------------------------
def test_main_division_bonus_only_when_text_is_silent(m):
    assert ranked(m, fields=["福祉"])[0] == "chiiki-fukushi"  # only the field is known
    assert ranked(m, "手話の普及", fields=["福祉"])[0] == "jiritsu-seikatsu"
    assert ranked(m, "認知症カフェの運営", fields=["保健・医療・福祉"])[0] == "kaigo-fukushi"
    assert ranked(m, "子ども食堂", fields=["子どもの健全育成"])[0] == "kosodate-shien"


def test_specific_text_outweighs_a_stated_field_its_division_does_not_serve(m):
    assert ranked(m, "湧水の観察", fields=["まちづくり"])[0] == "kankyo-seisaku"
    assert ranked(m, "商店街の活性化", fields=["まちづくり"])[0] == "keizai"
    assert ranked(m, "放置自転車の整理", fields=["地域安全"])[0] == "kotsu-taisaku"
    # no clear lead in the text (who and what both named): the stated fields keep their weight
    r = ranked(
        m,
        "子育て中の女性や高齢者がはたらける場をつくる",
        fields=["職業能力の開発又は雇用機会の拡充を支援する活動", "男女共同参画"],
    )
    assert r[0] == "keizai"


# --- issue 12 item 13, fourth round: what the group is, who founded or organises it ---------------
@pytest.mark.parametrize(
    ("description", "expected"),
    [
        # founders and the way volunteers came in are not the activity
        ("民生委員が立ち上げた会です。親子で遊べるひろばを開いています", "kosodate-shien"),
        (
            "社会福祉協議会を通して集まったボランティアで、視覚障害のある方の外出に付き添っています",
            "jiritsu-seikatsu",
        ),
        # everyday ways of saying 不登校
        ("学校に通えなくなった子どもの保護者が集まり、悩みを話し合っています", "shidoshitsu"),
    ],
)
def test_founders_and_everyday_words(m, description, expected):
    assert ranked(m, description)[0] == expected


@pytest.mark.parametrize(
    ("description", "absent"),
    [
        # 「ボランティア団体」「市民活動団体」「NPO」 say what kind of group it is, not what it does
        ("事業型NPOとして、退職した技術者が中小企業の事務のIT化を手伝っています", "community-bunka"),
        ("市民活動団体として発足しました。高齢者の方にスマホの使い方を教えています", "community-bunka"),
        # partners in 「…と協働し」 are not the activity
        ("自治会や商店会と協働し、防犯パトロールを続けています", "community-bunka"),
        # 環境 as circumstances, 緑 in a place name
        ("家庭環境に恵まれない子どもたちに、無料の学習支援をしています", "kankyo-seisaku"),
        ("緑区で活動する将棋のサークルです", "kankyo-seisaku"),
    ],
)
def test_kind_partner_and_place_words_do_not_route(m, description, absent):
    assert absent not in ranked(m, description)


def test_supporting_groups_still_routes_to_collaboration(m):
    assert ranked(m, "小さなNPOの会計や事業報告書づくりを手伝う")[0] == "community-bunka"
    assert ranked(m, "市民活動団体向けのチラシづくり講座")[0] == "community-bunka"


def test_pleasant_sound_in_the_name_is_not_the_activity(m):
    # 「みどり」 only in the name, the description about sign language: not a greenery group
    r = ranked(m, "聞こえない人と一緒に手話を学んでいます", name="みどりの手話の会")
    assert r[0] == "jiritsu-seikatsu"
    # ... but with nothing else to go on, the name still counts
    assert ranked(m, "", name="みどりの会")[:1] == ["kankyo-seisaku"]


@pytest.mark.parametrize(
    ("description", "absent"),
    [
        # a place rented (「…を借りて」) is the venue, not the activity
        ("空き家を借りて、小学生に宿題を教える放課後の教室を開いています", "machizukuri-suishin"),
        # older neighbours who teach are helpers, not the ones served
        ("小学生の宿題を見る放課後の教室です。近所のお年寄りも先生役で参加しています", "kaigo-fukushi"),
    ],
)
def test_rented_places_and_helpers(m, description, absent):
    assert absent not in ranked(m, description)


def test_set_phrases_and_partners(m):
    # 「理解と協力」 is a set phrase, not a partner clause
    def top(d: str) -> float:
        return m.match(GroupProfile(name="", description=d, fields=[]), top=1).matches[0].score

    assert top("更生保護への理解と協力を広めています") == top("更生保護への理解と支援を広めています")
    # 「…とも連携」 names a partner like 「…と連携」
    assert (
        ranked(m, "防災について話し合い、在宅避難の備蓄を進めています。管理組合とも連携しています")[0]
        == "chiiki-anzen"
    )
    assert ranked(m, "子どもの預け先の情報をまとめた冊子を作っています")[0] == "hoiku"


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        # a venue given as a directory item 「活動場所：…」 is only where the group meets
        ("活動内容：ちぎり絵の制作と作品展。活動場所：福祉会館。", "community-bunka"),
        # places the group goes to, and the places listed with them, are not its topic
        ("折り紙を教えに、老人ホームや子ども会に出向いています", "community-bunka"),
    ],
)
def test_venues_and_places_visited(m, description, expected):
    assert ranked(m, description)[0] == expected


# --- fifth round (issue 12 item 13): members, commissions, organisers, shows, echoes ----------
def score_of(m: Matcher, division_id: str, description: str, name: str = "") -> float:
    r = m.match(GroupProfile(name=name, description=description, fields=[]), top=10)
    return next((x.score for x in r.matches if x.division_id == division_id), 0.0)


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        # who the group is made of (「…で組織し」) is not what it does
        ("町内の小学校と中学校、商店会の役員で組織し、地域の広報紙を年4回発行しています。", "koho-hisho"),
        # whom the group commissions (「…に依頼して」) is a partner
        ("河原のごみを拾い、集めた空き缶の仕分けを近くの福祉作業所に依頼しています。", "gomi-taisaku"),
        # 「X主催の」 names the organiser of what the group takes part in
        ("市民活動センター主催の講座で、手話を教えています。", "jiritsu-seikatsu"),
        # where the group sells or shows its work is a venue
        ("郷土の歴史を調べて冊子にまとめ、市民まつりで販売しています。", "shogai-gakushu"),
        # a facility the group helps is a place it goes to, not the owner of the activity
        ("読み聞かせをしています。児童館や保健センターに協力しています。", "toshokan"),
        # 夜回り is a way of reaching people: for the homeless it is 地域福祉課's, for safety 地域安全課's
        ("ホームレスの人への夜回りをしています。", "chiiki-fukushi"),
        ("毎週、夜回りで防犯を呼びかけています。", "chiiki-anzen"),
        ("地域の子どもの育成のため、大人が昔遊びを教える会を開いています。", "jido-seishonen"),
    ],
)
def test_fifth_round_clauses_and_venues(m, description, expected):
    assert ranked(m, description)[0] == expected


def test_another_bodys_activity_the_group_also_helps_is_a_side_note(m):
    # 「…にも協力しています」: the group's own activity is the cleaning
    d = "月に一度、駅前のごみ拾いをしています。地域の子ども食堂の運営にも協力しています。"
    assert score_of(m, "kosodate-shien", d) < 0.35
    assert ranked(m, d)[0] == "gomi-taisaku"


def test_how_stays_with_what_when_the_project_words_agree(m):
    # a course on smartphones for older people: the course is the 公民館's (IT support), the older
    # people are who it is for; a meal delivery for older people stays 介護福祉課's
    d = "シニアのための、シニアによるスマートフォン講座を公民館で開いています。"
    assert ranked(m, d)[0] == "kominkan"
    assert score_of(m, "kaigo-fukushi", d) < 0.45
    assert ranked(m, "高齢者の方へのお弁当の配達をしています。")[0] == "kaigo-fukushi"
    # people whose division has no project words in the text still take the mode (who over how)
    assert ranked(m, "精神障害のある方へのお弁当の配達をしています。")[0] == "jiritsu-seikatsu"


def test_members_of_a_learning_or_it_club_are_its_audience(m):
    d = "シニア世代が集まるパソコンクラブです。ワードやエクセルを楽しく学んでいます。"
    assert ranked(m, d)[0] == "kominkan"
    assert score_of(m, "kaigo-fukushi", d) < 0.25


def test_a_name_word_the_description_repeats_is_what_the_group_is_about(m):
    d = "会員の団体の運営を手伝いながら、消費者の権利を守る学習会を開いています。"
    assert score_of(m, "keizai", d, name="消費者の会") > score_of(m, "keizai", d, name="くらしの会")
    # ... but not a short kana word inside an unlisted one (竹とんぼ ⊃ とんぼ)
    d2 = "昔遊びを教えています。竹とんぼ作りが人気です。"
    assert score_of(m, "kankyo-seisaku", d2, name="とんぼの会") <= score_of(m, "kankyo-seisaku", d2, name="")
