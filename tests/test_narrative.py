"""The figure extractor (toolkit.engine.narrative.extract) on real-style sentences.

Sentences marked ``rNNN`` are vendored verbatim from the development corpus
(shared/corpus/published/rNNN.txt, the published report's web page text,
ASCII punctuation as captured), ``seed000`` from shared/seeds/000_6d9714ad5485777f.txt
(a 2020 township report); sentences marked ``own`` are written for these
tests to cover numeral forms, enumerations, 其中, 同比 and distractors.  Each
case asserts every figure of the sentence: value, unit, subject (a key of
toolkit.spec.claims.QUANTITIES, "distractor", or None = names nothing in the
tables) and qualifiers, and every enumeration (stated total, parts).
"""

import pytest

from toolkit.engine.narrative import chinese_number, extract

CASES = [
    ('r009', '2021年,通过县政府门户网站共主动公开政府信息6条。',
     [(6, '条', None, ('共',))],
     []),
    ('r009', '收到公民、法人或其他组织提交政府信息公开申请0条。',
     [(0, '条', 'applications', ())],
     []),
    ('r009', '政府信息公开行政复议、行政诉讼0条。',
     [(0, '条', 'review+suit', ())],
     []),
    ('r011', '2020年,在市政务信息公开工作领导小组及办公室的悉心指导下,按照公开条例及上级有关政务公开工作的要求,我镇通过不同渠道和方式主动公开政务信息共217条。',
     [(217, '条', None, ('共',))],
     []),
    ('r011', '目前,我镇公开政务信息的形式和渠道主要包括政府门户网站和微信公众号(秀美大五里)等,其中,门户网站公开125条,微信公众号公开92条。',
     [(125, '条', None, ()), (92, '条', None, ())],
     []),
    ('r013', '严格执行《中华人民共和国政府信息公开条例》要求,确保政府信息在形成或者变更之日起20个工作日内予以公开,2021年主动公开的各类政府信息数量66件。',
     [(66, '件', None, ('各',))],
     []),
    ('r013', '2021年,全街共受理政府信息公开申请总数1件。',
     [(1, '件', 'applications', ('共',))],
     []),
    ('r017', '本年度,我街道共制发政府信息130件,其中主动公开18件,不予公开112件(不予公开理由主要是属于过程性信息或保护第三方合法权益)。',
     [(130, '件', None, ('共',)), (18, '件', None, ('其中',)), (112, '件', None, ())],
     [(130, [18, 112])]),
    ('r017', '2023年我街道共收到政府信息依申请公开件0件。',
     [(0, '件', 'applications', ('共',))],
     []),
    ('r021', '一是通过县政府门户网站主动公开各类信息,累计发布(桐府发、桐府办发、桐府办函)等政策文件89条,政策解读22条,“助企纾困、涉农补贴、稳岗就业、养老服务”等重点领域信息栏目公开1915条,开展在线调查2次、意见征集17次、回应关切22条,共受理县长信箱有效信件163件。',
     [(89, '条', None, ()), (22, '条', 'distractor', ()), (1915, '条', 'distractor', ()), (2, '次', 'distractor', ('网上',)), (17, '次', 'distractor', ()), (22, '条', None, ()), (163, '件', 'distractor', ('共',))],
     []),
    ('r021', '2022年,我县共收到政府信息公开申请21件,均在规定时间内按要求回复。',
     [(21, '件', 'applications', ('共',))],
     []),
    ('r021', '2022年度发生行政复议案件1件,为其他结果;行政诉讼案件1件,为其他结果。',
     [(1, '件', 'review', ()), (1, '件', 'suit', ())],
     []),
    ('r025', '2023年度,洋县自然资源局共完成政府网站信息发布65条,其中工作动态42条,信息公开23条。',
     [(65, '条', None, ('共',)), (42, '条', None, ('其中',)), (23, '条', None, ())],
     [(65, [42, 23])]),
    ('r025', '2023年,我局收到政府信息公开申请2件,已答复2件,已按照《条例》要求,在规定时限内向申请人进行了答复,未发生因政府信息公开引起的行政复议申请和行政诉讼。',
     [(2, '件', 'applications', ()), (2, '件', 'concluded', ())],
     []),
    ('r029', '2025年度市自然资源局接收到申请书55份,申请公开的政府信息主要涉及征地信息、规划信息等方面。',
     [(55, '份', 'applications', ())],
     []),
    ('r031', '2019年主动公开政府信息数696条,其中全文电子化率达100%。',
     [(696, '条', None, ()), (100, '%', None, ('其中',))],
     []),
    ('r031', '2019年依申请公开共受理2件,为挂号信依申请公开,于15个工作日内,通过挂号信的方式及时给予当事人答复,当事人收到并满意收到的公开答复,按时办结,完成率100%,',
     [(2, '件', 'applications', ('共',)), (100, '%', None, ())],
     []),
    ('r037', '2020年度共通过公示栏等形式发布信息108条,通过网站公开信息33条,其中通过网站公开规范性文件8个。',
     [(108, '条', None, ('共',)), (33, '条', None, ()), (8, '个', 'normative', ('其中',))],
     [(33, [8])]),
    ('r043', '(一)主动公开。依法公开市政府规章1部,市政府和市政府办公室文件156件,其中规范性文件20件,发布市政府公报8期。',
     [(1, '部', 'rules', ()), (156, '件', None, ()), (20, '件', 'normative', ('其中',)), (8, '期', None, ())],
     [(156, [20])]),
    ('r043', '2022年,市政府和市政府办公室共办理政府信息依申请公开41件,同比增长13.9%。',
     [(41, '件', 'applications', ('共',)), (13.9, '%', 'applications', ('同比增加',))],
     []),
    ('r043', '办理省政府办公厅协助调查2件,制发延期、补正告知书3件,政府信息公开告知书40件。',
     [(2, '件', 'distractor', ()), (3, '件', 'distractor', ()), (40, '件', 'distractor', ())],
     []),
    ('r047', '受理依申请公开信息13条,均按期回复办结。',
     [(13, '条', 'applications', ())],
     []),
    ('r047', '真心实意听民声、解民忧、纾民困,全年回复12345市民热线1179条。',
     [(1179, '条', 'distractor', ())],
     []),
    ('r047', '政务大厅全年接待群众约9650人次,及时受理群众的各项业务,办结率均达100%。',
     [(9650, '人次', None, ('约数',)), (100, '%', None, ())],
     []),
    ('r049', '收到政府信息公开申请4件,已办结4件,其中予以公开0件,部分公开1件,无法提供3件,其他0件,结转下年度继续办理0件,行政事业性收费0万元。',
     [(4, '件', 'applications', ()), (4, '件', 'concluded', ()), (0, '件', 'public', ('其中',)), (1, '件', 'partial', ()), (3, '件', 'unable', ()), (0, '件', 'other_processing', ()), (0, '件', 'carry_forward', ()), (0, '万元', 'fees', ())],
     [(4, [0, 1, 3, 0])]),
    ('r051', '截至2023年12月31日,底张街道共主动公开政府信息140余条,主要包含预算决算、街镇动态信息、工作信息等。',
     [(140, '条', None, ('共', '约数'))],
     []),
    ('r055', '2019年,文登区住建局共主动公开政府信息227条,其中工作动态85条,公告公示21条,政策文件及解读6条,重点领域信息公开76条,其他信息39条。',
     [(227, '条', None, ('共',)), (85, '条', None, ('其中',)), (21, '条', None, ()), (6, '条', 'distractor', ()), (76, '条', None, ()), (39, '条', None, ())],
     [(227, [85, 21, 6, 76, 39])]),
    ('r057', '(二)依申请公开。2023年区政府(含区政府办公室)收到政府信息公开申请30件,所有公开申请均依法依规按照程序办理,现已办结30件,办结率100%,全年因政府信息公开产生行政复议案件6件和行政诉讼案件3件,其中行政复议结果维持5件,尚未审结1件,行政诉讼结果维持3件。',
     [(30, '件', 'applications', ()), (30, '件', 'concluded', ()), (100, '%', 'concluded', ()), (6, '件', 'review', ()), (3, '件', 'suit', ()), (5, '件', 'review.upheld', ('其中',)), (1, '件', 'review.pending', ()), (3, '件', 'suit.upheld', ())],
     [(6, [5, 1]), (3, [3])]),
    ('r057', '2023年依托政府门户网站及新媒体主动公开区政府(含区政府办公室)各类信息6452条,其中发布动态类信息2637条、政策文件47条,其他信息3768条。',
     [(6452, '条', None, ('各',)), (2637, '条', None, ('其中',)), (47, '条', None, ()), (3768, '条', None, ())],
     [(6452, [2637, 47, 3768])]),
    ('r059', '本年度,共受理政府信息公开申请2件,都在法定期限内予以答复。',
     [(2, '件', 'applications', ('共',))],
     []),
    ('r059', '本年度共处理群众留言92条。',
     [(92, '条', 'distractor', ('共',))],
     []),
    ('r035', '报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。',
     [],
     []),
    ('own', '全年共收到政府信息公开申请二十三件，均在法定期限内答复。',
     [(23, '件', 'applications', ('共',))],
     []),
    ('own', '本年度新收政府信息公开申请两件，上年结转一件。',
     [(2, '件', 'applications', ()), (1, '件', 'carried_in', ())],
     []),
    ('own', '全年受理政府信息公开申请１２件，办结１１件，结转下年度继续办理１件。',
     [(12, '件', 'applications', ()), (11, '件', 'concluded', ()), (1, '件', 'carry_forward', ())],
     []),
    ('own', '全年共受理网络问政182件，办结率100%。',
     [(182, '件', 'distractor', ('共', '网上')), (100, '%', None, ())],
     []),
    ('own', '受理群众咨询56件，均当场答复。',
     [(56, '件', 'distractor', ())],
     []),
    ('own', '通过“书记信箱”“县长信箱”收到群众来信38件。',
     [(38, '件', 'distractor', ())],
     []),
    ('own', '全年共收到政府信息公开申请275件，其中予以公开及部分公开258件，无法提供12件，不予处理5件。',
     [(275, '件', 'applications', ('共',)), (258, '件', 'public_partial', ('其中',)), (12, '件', 'unable', ()), (5, '件', 'not_processed', ())],
     [(275, [258, 12, 5])]),
    ('own', '本年度办结政府信息公开申请16件，其中予以公开12件、部分公开3件、不予公开1件。',
     [(16, '件', 'concluded', ()), (12, '件', 'public', ('其中',)), (3, '件', 'partial', ()), (1, '件', 'withheld', ())],
     [(16, [12, 3, 1])]),
    ('own', '予以公开12件、部分公开3件、不予公开1件，共计16件。',
     [(12, '件', None, ()), (3, '件', None, ()), (1, '件', None, ()), (16, '件', None, ('共',))],
     [(16, [12, 3, 1])]),
    ('own', '全年共收到政府信息公开申请20件，同比增加5件。',
     [(20, '件', 'applications', ('共',)), (5, '件', 'applications', ('同比增加',))],
     []),
    ('own', '全年共收到政府信息公开申请20件，较上年减少3件。',
     [(20, '件', 'applications', ('共',)), (3, '件', 'applications', ('同比减少',))],
     []),
    ('own', '其中网上申请15件，信函申请3件，当面申请2件。',
     [(15, '件', 'applications', ('其中', '网上')), (3, '件', 'applications', ('信函',)), (2, '件', 'applications', ('当面',))],
     []),
    ('own', '其中自然人申请18件，法人或其他组织申请2件。',
     [(18, '件', 'applications', ('其中', '申请人类别')), (2, '件', 'applications', ('申请人类别',))],
     []),
    ('own', '本年度发生政府信息公开行政复议2件、行政诉讼1件，复议、诉讼均获维持。',
     [(2, '件', 'review', ()), (1, '件', 'suit', ())],
     []),
    ('own', '全年未发生因政府信息公开引起的行政复议、行政诉讼案件。',
     [],
     []),
    ('own', '全年发生行政复议、行政诉讼各1件。',
     [(1, '件', 'review+suit', ('各',))],
     []),
    ('own', '本年度制发行政规范性文件3件，废止2件，现行有效行政规范性文件27件。',
     [(3, '件', 'normative', ()), (2, '件', 'normative', ()), (27, '件', 'normative', ())],
     []),
    ('own', '本年度新制作规范性文件5件，新公开规范性文件5件。',
     [(5, '件', 'normative', ()), (5, '件', 'normative', ())],
     []),
    ('own', '全年作出行政许可决定1250件，行政处罚决定61件，行政强制决定2件。',
     [(1250, '件', 'licensing', ()), (61, '件', 'penalty', ()), (2, '件', 'coercion', ())],
     []),
    ('own', '本年度行政事业性收费20.3万元。',
     [(20.3, '万元', 'fees', ())],
     []),
    ('own', '本年度未收取信息处理费。',
     [],
     []),
    ('own', '本年度收取信息处理费200元。',
     [(200, '元', 'info_fee', ())],
     []),
    ('own', '全年行政事业性收费共计123400元。',
     [(123400, '元', 'fees', ('共',))],
     []),
    ('own', '全年上年结转政府信息公开申请3件，本年新收17件。',
     [(3, '件', 'carried_in', ()), (17, '件', 'applications', ())],
     []),
    ('own', '因本机关不掌握相关政府信息，对7件申请告知无法提供。',
     [(7, '件', None, ())],
     []),
    ('own', '其中不予公开4件，不予处理2件，其他处理1件。',
     [(4, '件', None, ('其中',)), (2, '件', None, ()), (1, '件', None, ())],
     []),
    ('own', '行政复议结果纠正1件，尚未审结2件。',
     [(1, '件', 'review.corrected', ()), (2, '件', 'review.pending', ())],
     []),
    ('own', '行政诉讼方面，共发生案件3件，其中结果维持2件，其他结果1件。',
     [(3, '件', 'suit', ('共',)), (2, '件', 'suit.upheld', ('其中',)), (1, '件', 'suit.other', ())],
     [(3, [2, 1])]),
    ('own', '全年收到申请二十件，同比增长25%。',
     [(20, '件', 'applications', ()), (25, '%', 'applications', ('同比增加',))],
     []),
    ('own', '全年开展政务公开培训3次，参训人员120人次。',
     [(3, '次', 'distractor', ()), (120, '人次', None, ())],
     []),
    ('own', '全面推行“一件事一次办”，打造“一站式”服务窗口2个。',
     [(2, '个', None, ())],
     []),
    ('own', '按照统一部署，完成两个方面的整改。',
     [],
     []),
    ('own', '全年在政府网站发布政务动态信息350条、通知公告45条、政策解读12篇。',
     [(350, '条', None, ()), (45, '条', None, ()), (12, '篇', 'distractor', ())],
     []),
    ('own', '2021年度结转至2022年度继续办理的申请1件。',
     [(1, '件', None, ())],
     []),
    ('own', '本年度不存在结转下年度继续办理的申请。',
     [],
     []),
    ('own', '办理人大代表建议8件、政协委员提案5件。',
     [(8, '件', 'distractor', ()), (5, '件', 'distractor', ())],
     []),
    ('own', '本年度通过12345热线受理政府信息公开相关诉求9件。',
     [(9, '件', 'distractor', ())],
     []),
    ('own', '全年共收到政府信息公开申请约300件。',
     [(300, '件', 'applications', ('共', '约数'))],
     []),
    ('own', '全年共受理政府信息公开申请１０５件。',
     [(105, '件', 'applications', ('共',))],
     []),
    ('own', '全年共受理政府信息公开申请一百零五件。',
     [(105, '件', 'applications', ('共',))],
     []),
    ('own', '办结的申请中，予以公开三十二件，部分公开十件。',
     [(32, '件', 'public', ()), (10, '件', 'partial', ())],
     []),
    ('seed000', '全年共受理依申请公开 0 件，因政府信息公开被申请行政复议 0件，行政诉讼1件。',
     [(0, '件', 'applications', ('共',)), (0, '件', 'review', ()), (1, '件', 'suit', ())],
     []),
    ('own', '全年共受理政府信息公开申请４１件，同比增长１３．９％。',
     [(41, '件', 'applications', ('共',)), (13.9, '%', 'applications', ('同比增加',))],
     []),
    ('own', '本年度上年度结转政府信息公开申请3件，新收10件。',
     [(3, '件', 'carried_in', ()), (10, '件', 'applications', ())],
     []),
    ('own', '制定完善规章制度3项。',
     [(3, '项', 'distractor', ())],
     []),
    ('own', '依申请公开栏目发布信息12条。',
     [(12, '条', 'distractor', ())],
     []),
    ('own', '上年度收到政府信息公开申请5件。',
     [(5, '件', 'applications', ('上年',))],
     []),
    ('own', '收到政府信息公开申请10件（含上年结转2件）。',
     [(10, '件', 'applications', ()), (2, '件', 'carried_in', ())],
     []),
]


@pytest.mark.parametrize("source,sentence,figures,enumerations", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_figures_of_a_sentence(source, sentence, figures, enumerations):
    found = extract(sentence)
    got = [(f.value, f.unit, f.subject, f.qualifiers) for s in found for f in s.figures]
    assert got == figures
    enums = [(e.total.value, [p.value for p in e.parts]) for s in found for e in s.enumerations]
    assert enums == enumerations
    for s in found:
        for f in s.figures:
            assert f.sentence == s.text and f.raw in f.phrase and f.phrase in s.text


def test_enough_sentences_of_both_kinds():
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if c[0] != "own") >= 30


@pytest.mark.parametrize("text,value", [
    ("一", 1), ("两", 2), ("十", 10), ("十五", 15), ("二十", 20), ("二十三", 23), ("一百零五", 105),
    ("三百", 300), ("两千零一十", 2010), ("三万", 30000), ("一万二千", 12000), ("〇", 0),
])
def test_chinese_numerals(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", ["", "二三", "统一", "十a"])
def test_not_chinese_numerals(text):
    assert chinese_number(text) is None


@pytest.mark.parametrize("sentence,verbs", [
    ("本年度制发行政规范性文件3件，废止2件，现行有效行政规范性文件27件。", ["issue", "repeal", "in_force"]),
    ("本年度新制作规范性文件5件，新公开规范性文件5件。", ["make", "publish"]),
    ("本年度新收政府信息公开申请两件，上年结转一件。", ["new", ""]),
    ("市政府和市政府办公室共办理政府信息依申请公开41件。", ["handle"]),
])
def test_verbs_choose_the_column(sentence, verbs):
    assert [f.verb for s in extract(sentence) for f in s.figures] == verbs


def test_sentences_offsets_and_full_width_digits():
    text = "（二）依申请公开情况。\n全年共受理政府信息公开申请１２件，办结１１件。"
    sents = extract(text)
    assert [s.text for s in sents] == ["（二）依申请公开情况。", "全年共受理政府信息公开申请１２件，办结１１件。"]
    fig = sents[1].figures[0]
    assert fig.value == 12 and fig.raw == "１２件"  # read as 12, quoted as written
    assert text[fig.start:fig.end] == "１２件"


def test_results_need_a_sentence_about_applications():
    # the same words in a sentence about 主动公开 name nothing in table 三 (r017)
    alone = extract("其中不予公开4件，不予处理2件，其他处理1件。")
    assert [f.subject for f in alone[0].figures] == [None, None, None]
    after = extract("全年共收到政府信息公开申请10件。其中不予公开4件，不予处理2件，其他处理1件。")
    assert [f.subject for f in after[1].figures] == ["withheld", "not_processed", "other_processing"]


@pytest.mark.parametrize("text", ["1" * 32000, "1" + " " * 32000, "一" * 32000, "1." * 16000,
                                  "收到申请1件，" * 3000, "\x00\ufffd" * 1000 + "收到申请" + "9" * 40 + "件"])
def test_hostile_text_is_read_without_error(text):
    # an Excel cell holds at most 32767 characters; the figure pattern starts only where a
    # numeral starts and bounds its spaces, so none of these backtracks quadratically
    sents = extract(text)
    assert all(f.value >= 0 for s in sents for f in s.figures)
