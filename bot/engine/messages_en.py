"""The conversation engine's English sentences (issue 15), for users whose language is English.

Kept apart from messages.py (the Japanese). A constant here with the same name as one in
messages.py is its English wording, with the same {placeholders}: bot/engine/translate.py pairs
them by name and puts the English into the replies of a user whose language is English, so the
flows (対象チェック, 団体登録, 相談・提案, データ削除, 提案の状況) stay as they are, declared once.
A Japanese sentence without an English twin here stays Japanese (tests/bot/engine/test_english.py
lists the names every flow uses and fails on a missing one).
"""

from __future__ import annotations

from bot.engine import messages as M
from bot.engine.types import Choice

# What a user sends to switch (compared after knowledge.normalize.fold, i.e. case-insensitively).
TO_ENGLISH_WORDS = ("English", "英語", "えいご", "eigo", "in English", "English please", "English, please")
TO_JAPANESE_WORDS = ("日本語", "にほんご", "Japanese", "nihongo", "日本語で", "in Japanese")

SWITCHED_TO_ENGLISH = (
    "OK, I will answer in English. Ask me about collaboration (協働, kyōdō) between Koganei City and "
    "civic groups, for example \"What is kyodo?\" or \"Can a company collaborate?\".\n"
    "Send 「日本語」 to switch back to Japanese."
)
SWITCHED_TO_JAPANESE = "日本語でお答えします。英語に切り替えるときは「English」と送ってください。"

GREETING = (
    "Welcome to the Kyodo Bot (協働ボット) of Koganei City. I answer questions about the city's "
    "Collaboration Promotion Guideline (協働推進基本指針) in English or Japanese.\n"
    "Type your question, or choose below. Send 「日本語」 for Japanese."
)
WELCOME_BACK = "Welcome back. Choose below, or type your question."
HELLO_REPLY = "Hello! I am the Kyodo Bot. Type your question about collaboration (協働), or choose below."
THANKS_REPLY = "You're welcome. Ask me any time."
HELP = (
    "I answer questions about collaboration (協働) between Koganei City and civic groups, in English "
    "or Japanese. Type a question such as \"What is kōen (後援)?\".\n"
    "- \"Eligibility check\": is your activity one the city can collaborate on?\n"
    "- \"Register a group\": register your group (\"My groups\" to see, edit or delete it).\n"
    "- \"Consult the city\": send a consultation or proposal to a city division.\n"
    "- \"Proposal status\": the reference number and status of what you sent.\n"
    "- During the steps you can always send \"Back\", \"Cancel\" or \"Start over\".\n"
    "- \"Delete my data\": delete everything about you.\n"
    "Send 「日本語」 to switch to Japanese."
)

WAS_IT_HELPFUL = "Was this answer helpful?"
YES = "Yes"
NO = "No"
FEEDBACK_THANKS_YES = "Thank you for your feedback."
MAYBE = "Let me check what you mean. Did you mean one of these?"
CANNOT_ANSWER = "Sorry, I cannot answer this question."
OFFER_STAFF = "I can also send your question to city staff (a reply may take a few days)."
ASK_STAFF = "Ask city staff"
TOO_LONG_QUESTION = "Your question is too long. Please keep it within {limit} characters and send it again."
ANSWERER_DOWN = "Sorry, I cannot answer right now. Please try again a little later."

# Main-menu buttons for English users: an English label; what is sent is the command the engine
# understands (translate.py shows it in English and maps the typed English back), except the two
# that are plain questions.
_LABELS = {
    M.MENU_ABOUT: ("What is kyodo?", "What is kyodo?"),
    M.MENU_CHECK: ("Eligibility check", M.MENU_CHECK),
    M.MENU_REGISTER: ("Register a group", M.MENU_REGISTER),
    M.MENU_CONSULT: ("Consult the city", M.MENU_CONSULT),
    M.MENU_FAQ: ("FAQ", M.MENU_FAQ),
    M.MENU_CONTACT: ("Contact", "Where can we ask about collaboration?"),
    M.MENU_HELP: ("Help", "help"),
}
# The two menu buttons that ask the English answerer a question, wherever a Japanese menu is shown
# in English (translate.choice): the Japanese word -> the English question the button sends.
MENU_QUESTIONS = {ja: sent for ja, (_label, sent) in _LABELS.items() if ja in (M.MENU_ABOUT, M.MENU_CONTACT)}


def menu_choices(main_menu: tuple[str, ...]) -> list[Choice]:
    """The main menu with English labels (unknown entries keep their Japanese label)."""
    out = []
    for item in main_menu:
        label, text = _LABELS.get(item, (item, item))
        out.append(Choice(label=label, text=text))
    return out


# --- the guided flows and the rest of the engine's words (issue 15, second round) -----------------
# Same names as in messages.py; the buttons' labels are at most 20 characters.

MENU_ABOUT = "What is kyodo?"
MENU_CHECK = "Eligibility check"
MENU_REGISTER = "Register a group"
MENU_CONSULT = "Consult the city"
MENU_FAQ = "FAQ"
MENU_CONTACT = "Contact"
MENU_HELP = "Help"
MENU_MY_GROUPS = "My groups"
MENU_DELETE_DATA = "Delete my data"

CANCEL = "Cancel"
RESTART = "Start over"
DONT_KNOW = "I don't know"
SKIP = "Skip"
KEEP = "Keep as is"
NEXT = "Next"
MORE_FIELDS = "More fields"
BACK = "Back"
MENU_STATUS = "Proposal status"

GROUP_GREETING = (
    "Thank you for inviting me. I am the Kyodo Bot (協働ボット) of {city}. I answer questions about "
    "collaboration (協働) based on the city's {guideline}. Group registration and proposals handle "
    "personal data: please use them in a one-to-one chat with the bot."
)
MENU_PROMPT = "Is there anything else I can help you with?"

ACTIVITY_CONDITIONS = (
    "About the activity you described: collaboration is for activities done on your own initiative "
    "for the public good, not for profit, not for political or religious purposes, and not against "
    "public order and morals."
)
ACTIVITY_DIVISIONS = "From what you wrote, {divisions} may be related."
ACTIVITY_REASON = " ({division}: {reason})"
ACTIVITY_OFFER = "Check with \"Eligibility check\", or send a consultation with \"Consult the city\"."

EMPTY_TEXT = "Your message seems to be empty. Please type your question."
NO_WORDS = "I cannot answer a message of only emoji or symbols. Please type your question in words."
TOO_LONG_INPUT = "Please keep it within {limit} characters (now {length})."
UNSUPPORTED = {
    "sticker": "Thank you for the sticker.",
    "image": "I cannot read images.",
    "video": "I cannot read videos.",
    "audio": "I cannot listen to audio.",
    "location": "I cannot use location information.",
    "file": "I cannot read files.",
}
UNSUPPORTED_DEFAULT = "I cannot read this message."
UNSUPPORTED_TAIL = "Please type it in words."
PERSONAL_IN_GROUP = (
    "Steps such as {title} handle personal data, so they cannot be used in a group chat. Please use "
    "them in a one-to-one chat with the Kyodo Bot. I answer questions in groups too."
)
BAD_POSTBACK = "This button does not work. Please choose again from the menu below."
STALE_BUTTON = "The steps of this button are finished. Please choose again from the menu below."
STALE_STEP = "That button belongs to an earlier question. Please answer the current question."
TIMED_OUT = "The previous steps ({title}) timed out. Please start again."
RESTART_FLOW = "Starting {title} again."
INTERRUPTED = "({title} was paused)"
CANCELLED = "{title} was cancelled. Nothing you entered was saved."
NOTHING_TO_CANCEL = "There are no steps in progress."
NOTHING_TO_GO_BACK = "There are no steps in progress. Please choose from the menu below."
BACK_AT_FIRST = "This is the first question. To stop, send \"Cancel\"."
RESUMED = "Continuing {title}."

SOURCE_LINE = "Source: {titles}"
SOURCE_LINK = "The guideline's section: {url}"
STALE_BUTTON_WEB = "The steps of this button are finished. Please ask again."
FEEDBACK_THANKS_NO = (
    "Thank you for your feedback. We will use it to improve the answers. "
    "To ask city staff directly, press \"Ask city staff\"."
)
FEEDBACK_ALREADY = "We already have your feedback. Thank you."
HANDOFF_CONFIRM = "I will send this question to city staff. Is that OK?\n\"{question}\""
HANDOFF_SEND = "Send"
HANDOFF_DONT = "Don't send"
HANDOFF_KEPT = "I did not send it to staff. Feel free to ask something else."
HANDOFF_DONE = (
    "I sent your question \"{question}\" to city staff (they may answer in Japanese). When they "
    "reply, I will tell you in this chat. If it is urgent, please contact {desk}."
)
HANDOFF_ALREADY = "This question has already been sent to staff. Please wait for their reply."
FAQ_INTRO = "Frequently asked questions. Choose one below."
FAQ_EMPTY = "The FAQ is not ready yet. Please type your question."

CHECK_TITLE = "the eligibility check"
CHECK_INTRO = (
    "Let's check, one by one, the guideline's four conditions for an activity the city can "
    "collaborate on ({n} questions)."
)
CHECK_CONDITIONS = [
    (
        "public_benefit",
        "Public benefit",
        "Is it an activity you do on your own initiative that benefits the community or society?",
        "Whether it helps citizens or the area widely, not only certain people.",
    ),
    (
        "non_profit",
        "Not for profit",
        "If there is income, is it used for the activity rather than shared among members?",
        "If fees or other income go to the activity, answer \"Yes\".",
    ),
    (
        "not_political_religious",
        "Not political or religious",
        "Is the purpose something other than supporting a party or candidate, or spreading a religion?",
        "Members' beliefs do not matter. If the purpose is not political or religious, answer \"Yes\".",
    ),
    (
        "public_order",
        "Public order",
        "Does the activity follow the law and the rules of society (public order and morals, 公序良俗)?",
        "If it follows the law and harms no one, answer \"Yes\".",
    ),
]
CHECK_QUESTION = "[{i}/{n} {name}]\n{question}\n({explanation})"
CHECK_ELIGIBLE = "All four conditions are met. The activity can be a subject of collaboration."
CHECK_NOT_ELIGIBLE = (
    "Some conditions are not met (marked ×). As it is, the activity is unlikely to be a subject of "
    "collaboration. This can change with how the activity is run: feel free to ask us."
)
CHECK_UNCLEAR = (
    "Apart from the conditions you answered \"I don't know\" (marked ？), all are met. Please ask "
    "the Community and Culture Division (市民部コミュニティ文化課) about the ？ ones."
)
CHECK_HOW_TO_ANSWER = (
    "Please answer \"Yes\", \"No\" or \"I don't know\" (a button or typed). I will answer questions "
    "after the check. To stop, send \"Cancel\"."
)
CHECK_CITED = "Guideline, Chapter 2 (2) \"Activities for collaboration\" (the guideline itself is in Japanese):\n{text}"
# The lines of the guideline that the bot quotes to an English user (第2章(2), quoted by 対象チェック
# from knowledge/data/guideline.yaml), in the words of faq_en.yaml's answer on the same section. A
# line without a twin here is shown in Japanese; tests/bot/engine/test_english.py checks that every
# quoted line has one.
GUIDELINE_LINES = {
    "自主的に行う公益性のある活動": "public-interest work that the group does on its own initiative",
    "営利を目的としない活動": "not for profit",
    "政治及び宗教活動を目的としない活動": "not for political or religious purposes",
    "公序良俗に反しない活動": "not against public order and morals (公序良俗)",
}
CHECK_NEXT = "Next, you can register your group."

REG_TITLE = "group registration"
EDIT_TITLE = "editing your registration"
REG_INTRO = (
    "Let's register your group. I will ask five things, then whether to list the group and to "
    "receive notices (you can send \"Back\" or \"Cancel\" at any time). Answers in Japanese or "
    "English are fine."
)
EDIT_INTRO = "This is the registration of \"{name}\". Choose below what you want to change."
REG_ASK_NAME = "[1/5] Please send your group's name."
REG_NAME_INVALID = "Please send your group's name in words (at most {limit} characters)."
REG_NAME_QUESTION = (
    "I am asking for your group's name now. I will answer questions after the registration or "
    "after you send \"Cancel\". Please send your group's name."
)
REG_NAME_SIMILAR = "A group with a similar name, \"{other}\", is already registered. Is it your group?"
REG_SAME_MEMBER = "Same group"
REG_SAME_NOTE = (
    "I will register you as a member of the same group. Staff will check and merge the "
    "registrations if needed."
)
REG_NAME_OWN = "You have already registered \"{other}\". You can edit it from \"My groups\"."
REG_DIFFERENT = "A different group"
REG_RETYPE = "Retype the name"
REG_ASK_KIND = "[2/5] Choose the kind of group (if none fits, type the kind)."
REG_KIND_AS = (
    "I will register \"{text}\" as the kind \"{kind}\". If that is wrong, choose again with the "
    "buttons."
)
REG_KIND_OTHER = "I will register \"{text}\" as the kind \"Other ({text})\"."
REG_ASK_FIELDS = (
    "[3/5] Choose your fields of activity (as many as you like). You can also type words (e.g. "
    "child care, environment). When you are done, press \"Next\"."
)
REG_FIELDS_SELECTED = "Selected: {labels}"
REG_FIELDS_NONE_SELECTED = "No field is selected yet."
REG_FIELDS_UNKNOWN = "I found no field for \"{words}\". Please choose with the buttons."
REG_FIELD_SYNONYM = "I will register \"{text}\" as the field \"{label}\"."
REG_FIELD_GUESS = "Do you mean the field \"{label}\" by \"{text}\"?"
REG_FIELD_AMBIGUOUS = "Several fields are close to \"{text}\". Please choose the one that fits."
REG_FIELD_ADDED = "Selected the field \"{label}\"."
REG_FIELD_SKIPPED = "I will not register \"{text}\". Please choose fields with the buttons."
REG_FIELD_NONE_OF_THESE = "None of these"
REG_FIELD_WRONG = "No, not that"
REG_FIELDS_NEED_ONE = "Please choose at least one field, then press \"Next\"."
REG_ASK_DESCRIPTION = "[4/5] Briefly, what does your group do? (at most {limit} characters)"
REG_DESCRIPTION_INVALID = "Please describe your activity in words (at most {limit} characters)."
REG_ASK_CONTACT = (
    "[5/5] How can the city contact you (an e-mail address or a phone number)? You can leave it "
    "out (\"Skip\")."
)
REG_CONTACT_INVALID = (
    "Please send an e-mail address (e.g. info@example.jp) or a phone number (e.g. 042-000-0000). "
    "If you have none, press \"Skip\"."
)
REG_ASK_LISTED = (
    "Shall we list your group's name, kind, fields and activity in \"Find a group\" (団体をさがす) "
    "on the city's collaboration web page? Contact details are not shown."
)
REG_LISTED_YES = "List it"
REG_LISTED_NO = "Don't list it"
REG_ASK_NOTICES = (
    "Would you like to receive the city's calls for collaboration (invitations to join projects) "
    "in this chat?"
)
REG_NOTICES_YES = "Receive them"
REG_NOTICES_NO = "No, thanks"
REG_FIX_HINT = "If something needs changing, choose it below."
REG_FIX = {
    "name": "Edit name",
    "kind": "Edit kind",
    "fields": "Edit fields",
    "description": "Edit activity",
    "contact": "Edit contact",
    "listed": "Edit listing",
    "notices": "Edit notices",
}
REG_CURRENT = "Now: {value}"
REG_CONFIRM = "I will register these details. Is that OK?"
REG_CONFIRM_EDIT = "I will update with these details. Is that OK?"
REG_SAVE = "Register"
REG_SAVE_EDIT = "Update"
REG_SAVED = (
    "\"{name}\" is registered. Thank you. You can now consult city divisions or send proposals."
)
REG_UPDATED = "The registration of \"{name}\" is updated."
REG_DUPLICATE_NOTE = "As a group with a similar name exists, staff may check it."
REG_CARD_LINES = [
    "Kind: {kind}",
    "Fields: {fields}",
    "Activity: {description}",
    "Contact: {contact}",
    "Listed in Find a group: {listed}",
    "Calls for collaboration: {notices}",
]
REG_KIND_WITH_NOTE = "{kind} ({note})"
REG_NO_CONTACT = "(none)"
MY_GROUPS_NONE = "No group is registered yet. You can register one with \"Register a group\"."
MY_GROUPS_INTRO = "Your registered groups."
EDIT = "Edit"
DELETE = "Delete"
CONSULT_THIS = "Consult as this group"
GROUP_GONE = "That group's registration was not found."

GDEL_TITLE = "deleting a group"
GDEL_CONFIRM = "I will delete the registration of \"{name}\". This cannot be undone. Is that OK?"
GDEL_DONE = "The registration of \"{name}\" is deleted."
GDEL_KEPT = "Not deleted. The registration stays as it is."

PROP_TITLE = "the consultation or proposal"
PROP_NEED_GROUP = "To consult or propose, please register your group first. Register it now?"
PROP_PICK_GROUP = "As which group do you want to consult?"
PROP_MATCHES = (
    "City divisions close to the activity of \"{name}\". Choose the one to consult, or press "
    "\"Leave it to the city\"."
)
PROP_NO_MATCHES = "No division close to the activity was found. The city's collaboration desk will find one."
PROP_LEAVE_TO_CITY = "Leave it to the city"
PROP_CHOOSE = "Choose this division"
PROP_CHOSEN_DISPLAY = "Consult {name}"
PROP_CITY_DECIDES = "The city will choose the division"
PROP_ASK_PURPOSE = (
    "[Purpose] Why do you want to collaborate? (e.g. to keep older people from being isolated)\n"
    "Hint: the guideline asks the city and the group to share why they collaborate (principle 4)."
)
PROP_ASK_GOAL = (
    "[Goal] What result do you aim for, and by when? (e.g. visits to 50 households by next March)\n"
    "Hint: a deadline and an amount help both sides see the progress (principle 4)."
)
PROP_ASK_ROLE_CITY = (
    "[Roles 1/2] What do you hope the city will do? (e.g. provide a venue, announce it in the city "
    "newsletter)\nHint: clear roles and responsibilities are a principle of collaboration (principle 3)."
)
PROP_ASK_ROLE_GROUP = "[Roles 2/2] What will your group do? (e.g. arrange visiting volunteers and keep records)"
PROP_INPUT_INVALID = "Please send it in words (at most {limit} characters)."
PROP_CONFIRM = "I will send these details. Is that OK?"
PROP_SEND = "Send"
PROP_CARD_LINES = [
    "Group: {group}",
    "Division: {division}",
    "Purpose: {purpose}",
    "Goal: {goal}",
    "From the city: {role_city}",
    "From the group: {role_group}",
]
PROP_SENT = (
    "Your consultation or proposal was received. Its reference number is {reference}.\n"
    "When the division replies, I will tell you in this chat. Please give the reference number "
    "when you contact the city."
)

STATUS_TITLE = "Proposal status"
STATUS_NONE = "You have not sent a consultation or proposal from this chat yet. Use \"Consult the city\"."
STATUS_NOT_FOUND = "No consultation or proposal with the reference number {reference} was found in this chat."
STATUS_INTRO = "The status of what you sent (newest first, {n})."
STATUS_LINES = ["Division: {division}", "Status: {status}", "Sent: {date}", "{next}"]
STATUS_LABELS = {
    "queued": "Received",
    "sent": "The division is checking it",
    "accepted": "The division will take it on",
    "declined": "Not taken up this time",
    "closed": "Finished",
}
STATUS_NEXT = {
    "queued": "It will be passed to the division. About two weeks after that, I will tell you here.",
    "sent": "The division is looking at it. I will tell you here by about {due}.",
    "sent_late": (
        "The reply is late. Please contact the Community and Culture Division (市民部コミュニティ文化課) "
        "with the reference number."
    ),
    "accepted": "The person in charge will contact you.",
    "declined": "You are welcome to consult again with different plans.",
    "closed": "Thank you for using the service.",
}
STATUS_UNKNOWN = "Being checked"
STATUS_MORE = (
    "There are {n} more. You can also ask with the reference number, like \"KY-2026-000001 status\"."
)

NOTIFY_GROUP_TAKEN = (
    "About \"{group}\": {division} will take it on. The person in charge will contact you. "
    "Please wait a little."
)
NOTIFY_GROUP_PASSED = (
    "About \"{group}\": {division} will not take it up this time. To collaborate with another "
    "division, tell us with \"Consult the city\"."
)
NOTIFY_PROPOSAL_TAKEN = (
    "Your proposal (reference {reference}) will be handled by {division}. The person in charge will "
    "contact you."
)
NOTIFY_PROPOSAL_PASSED = (
    "Your proposal (reference {reference}) was not taken up by {division} this time. You are welcome "
    "to consult again with different plans."
)
NOTIFY_STAFF_REPLY = "City staff answered your question.\n\"{question}\"\n\n{answer}"
NOTIFY_HANDOFF_CLOSED = "Your inquiry has been dealt with. Thank you for using the service."

DATA_TITLE = "data deletion"
DATA_DELETE = "Delete"
DATA_CONFIRM_PARTS_HEAD = "I will delete your data:"
DATA_PART_GROUPS = "- the groups you registered ({n})"
DATA_PART_DRAFT = "- what you entered in unfinished steps"
DATA_PART_RECORDS = "- your questions, feedback and eligibility checks"
DATA_PART_PROPOSALS = (
    "The consultations and proposals you sent ({n}) are erased; only their reference numbers and "
    "dates stay with the city."
)
DATA_CONFIRM_TAIL = "This cannot be undone. Is that OK?"
DATA_NOTHING = "There is no data to delete: no group, consultation, proposal or question is recorded."
DATA_DONE = "Your data has been deleted. Thank you for using the service."
DATA_KEPT = "Not deleted. Your data stays as it is."

RENDER_OMITTED = "(Shortened here because it is long.)"
RENDER_CHOOSE = "Choose"
RENDER_CHOOSE_BELOW = "Please choose with the buttons below."
RENDER_CHOICES_ALT = "Options"
NOTIFY_SOME_DIVISION = "the division in charge"
STATUS_DATE = "{y}-{m}-{d}"

# --- Collaborations and their evaluation (issue 14): the English twins --------------------------------
COLLAB_AGREED = "You have agreed to the collaboration. We have told {division}. Thank you."
COLLAB_ALREADY = "This collaboration is now \"{status}\"."
COLLAB_CHANGE_ASK = "Please send what you would like changed, in one message (up to 500 characters)."
COLLAB_CHANGE_SENT = "Your request for a change has reached {division}. Please wait for the division to contact you."
COLLAB_CHANGE_TITLE = "Request to change the collaboration"
COLLAB_CHANGE_TOO_LONG = "Please keep it within 500 characters (now {count})."
COLLAB_FORMS = {
    "koen": "nominal sponsorship (後援)",
    "kyosai": "co-hosting (共催)",
    "itaku": "commission (委託)",
    "hojo": "subsidy (補助)",
    "jikko": "executive committee (実行委員会)",
    "kyoryoku": "project cooperation (事業協力)",
    "other": "other",
}
COLLAB_GONE = "We could not find the record of this collaboration."
COLLAB_NOT_READY = "The details of the collaboration are not settled yet. Please wait for the division to contact you."
COLLAB_STATUS = {
    "discussing": "under discussion",
    "agreed": "agreed",
    "running": "in progress",
    "done": "completed",
    "cancelled": "cancelled",
}
# The pushes of a collaboration (bot/engine/collaboration.py, Notifier.collaboration_*): the card to
# agree to, a status change, and the evaluation — asked, reminded, and the division's shown.
COLLAB_TITLE = "Collaboration with {division}"
COLLAB_LINES = [
    "Form: {form}",
    "Purpose: {purpose}",
    "Goal: {goal}",
    "The city's role: {role_city}",
    "Your group's role: {role_group}",
    "Period: {period}",
    "Status: {status}",
]
COLLAB_NOT_SET = "not decided"
COLLAB_ENDS_ON_LINE = "Planned end: {date}"
COLLAB_DATE = "{y}-{m}-{d}"
COLLAB_ASK = (
    "{division} has written up the collaboration with \"{group}\". Please check it: if it is right, "
    "tap \"Agree\"; if something should change, tap \"Ask for changes\"."
)
COLLAB_AGREE = "Agree"
COLLAB_CHANGE = "Ask for changes"
NOTIFY_COLLAB_STATUS = "The collaboration between \"{group}\" and {division} is now \"{status}\"."
NOTIFY_COLLAB_STATUS_NEXT = {
    "running": "The collaboration starts now. We look forward to working with you.",
    "done": "Thank you for your cooperation.",
    "cancelled": "If you have any questions, please contact the division.",
}
EVAL_START = "Evaluate"
EVAL_ASK = (
    "The collaboration between \"{group}\" and {division} is complete. Thank you for your work. "
    "To help future collaborations, please answer a short evaluation (5 questions, about a minute)."
)
EVAL_ASK_DUE = (
    "The collaboration between \"{group}\" and {division} has passed its planned end date ({date}). "
    "Thank you for your work. To help future collaborations, please answer a short evaluation "
    "(5 questions, about a minute)."
)
EVAL_REMIND = (
    "The evaluation of the collaboration between \"{group}\" and {division} does not seem to be done "
    "yet. Please answer by {deadline}."
)
EVAL_DEADLINE = "{m}/{d}"
EVAL_REVEAL_TITLE = "{division}'s evaluation of the collaboration with \"{group}\":"
EVAL_REVEAL_GOAL = "Goal: {goal}"
EVAL_REVEAL_LINE = "{principle}: {score} out of 5"
EVAL_REVEAL_COMMENT = "Comment: {comment}"
EVAL_REVEAL_NONE = (
    "{division}'s evaluation of the collaboration with \"{group}\" did not arrive by the deadline."
)
EVAL_ALREADY = "We already have your evaluation of this collaboration. Thank you."
EVAL_CLOSED = "The evaluation of this collaboration is closed."
EVAL_CLOSED_CANCELLED = "This collaboration was cancelled, so its evaluation is closed."
EVAL_CANCELLED_WITHDRAWN = "We withdraw our request for an evaluation: there is no need to answer."
EVAL_CANCELLED_KEPT = "We have passed your evaluation on to the division."
EVAL_COMMENT_TOO_LONG = "Please keep it within 300 characters (now {count})."
EVAL_GOALS = {"reached": "reached", "partly": "partly reached", "not": "not reached"}
EVAL_NOT_OPEN = "This collaboration is not being evaluated now."
EVAL_NO_COMMENT = "None"
EVAL_PICK = "Please choose one of the buttons."
EVAL_PRINCIPLES = {
    "equality": "equal partnership and respect for independence",
    "understanding": "mutual understanding",
    "roles": "clear roles and responsibilities",
    "goals": "shared purpose and goals",
}
EVAL_Q_COMMENT = "Anything you would like to add? (up to 300 characters) If not, press \"None\"."
EVAL_Q_GOAL = "Did the collaboration reach its goal?"
EVAL_Q_PRINCIPLE = "How well did you achieve \"{principle}\"? Choose 1 (not at all) to 5 (very well)."
EVAL_THANKS = (
    "Thank you. We will show you the city's evaluation when both sides have answered or the deadline has passed."
)
EVAL_THANKS_SHORT = "Thank you."
EVAL_TITLE = "Evaluating the collaboration"
STATUS_COLLAB_INTRO = "The collaborations under way with the city's divisions."
STATUS_COLLAB_LINE = "Collaboration: {status} ({form})"

# Opportunities (協働の募集, issue 14 step 3).
MENU_OPPORTUNITIES = "Open calls"
OPP_STOP = "Stop notices"
OPP_RESUME = "Resume notices"
OPP_STOPPED = (
    "We have stopped the city's calls for collaboration ({count} groups). "
    "To receive them again, send 「お知らせを再開」."
)
OPP_ALREADY_STOPPED = "The city's calls for collaboration are already stopped. Send 「お知らせを再開」 to resume them."
OPP_RESUMED = (
    "We will send the city's calls for collaboration again ({count} groups), at most {cap} a month per "
    "group. Send 「お知らせを停止」 to stop them at any time."
)
OPP_NO_GROUPS = (
    "No group is registered from this chat, so we send you no calls. "
    "When you register a group you can choose to receive them."
)
OPP_NOTICE = (
    "A call for collaboration from {division}. If you are interested, tap \"Interested\": "
    "we will pass your group's details to the division."
)
OPP_NOTICE_TAIL = "To stop these notices, send 「お知らせを停止」."
OPP_TITLE = "[Call] {title}"
OPP_NO_DEADLINE = "none"
OPP_ANY_FIELD = "any"
OPP_INTERESTED = "Interested"
OPP_THANKS = (
    "We have told {division} that you are interested in \"{title}\" ({groups}). "
    "The division will contact you."
)
OPP_ALREADY = "We have already told {division} that you are interested in \"{title}\"."
OPP_CLOSED = "The call \"{title}\" is closed. Send 「募集中の協働は？」 to see the open calls."
OPP_GONE = "We could not find this call. Send 「募集中の協働は？」 to see the open calls."
OPP_NEED_GROUP = "Please register your group first: we pass your group's details to the division."
OPP_LIST_HEAD = "Open calls for collaboration ({count}). If you are interested, tap \"Interested\"."
OPP_LIST_MORE = "There are {more} more. You can also see them on the city's web corner."
OPP_LIST_NONE = (
    "There are no open calls for collaboration now. When there is one, we send it to the groups "
    "that chose to receive calls."
)

# -- Kinds of group, NPO-law fields and the matcher's reasons, for an English user (issue 15) ------
# Japanese name -> (button label, at most 19 characters; the name in sentences and cards). The
# Japanese term stays in parentheses where the user will meet it at the city office (forms, the
# registration card the city sees). The kinds are bot/registry/groups.py's GROUP_KINDS.
KIND_NAMES = {
    "NPO法人": ("NPO corporation", "NPO corporation (NPO法人)"),
    "任意団体・市民活動団体": ("Civic group", "Voluntary or civic group (任意団体・市民活動団体)"),
    "ボランティア団体": ("Volunteer group", "Volunteer group (ボランティア団体)"),
    "自治会・町会": ("Residents' assoc.", "Residents' association (自治会・町会)"),
    "公益法人等": ("Public-interest org", "Public-interest corporation or similar (公益法人等)"),
    "教育・研究機関": ("School or research", "School or research institution (教育・研究機関)"),
    "企業": ("Company", "Company (企業)"),
    "その他": ("Other", "Other"),
}
# The 20 fields of the NPO law (特定非営利活動促進法 別表), by the short Japanese label of
# matching/data/fields.yaml: (button label; the field in sentences: the wording of the Act's
# English translation (Japanese Law Translation, Appended Table), shortened to the field itself,
# with the Japanese label the city's forms use).
FIELD_NAMES = {
    "保健・医療・福祉": ("Health & welfare", "Health, medical care or welfare (保健・医療・福祉)"),
    "社会教育": ("Social education", "Social education (社会教育)"),
    "まちづくり": ("Community building", "Community development (まちづくり)"),
    "観光": ("Tourism", "Tourism (観光)"),
    "農山漁村・中山間地域": ("Rural areas", "Rural, mountain and fishing villages and hilly areas (農山漁村・中山間地域)"),
    "学術・文化・芸術・スポーツ": ("Culture & sports", "Academic research, culture, the arts or sports (学術・文化・芸術・スポーツ)"),
    "環境保全": ("Environment", "Conservation of the environment (環境保全)"),
    "災害救援": ("Disaster relief", "Disaster relief (災害救援)"),
    "地域安全": ("Community safety", "Community safety (地域安全)"),
    "人権・平和": ("Human rights, peace", "Protection of human rights or promotion of peace (人権・平和)"),
    "国際協力": ("Intl. cooperation", "International cooperation (国際協力)"),
    "男女共同参画": ("Gender equality", "A gender-equal society (男女共同参画)"),
    "子どもの健全育成": ("Children", "Sound development of children (子どもの健全育成)"),
    "情報化社会": ("Information society", "Development of an information society (情報化社会)"),
    "科学技術": ("Science & tech", "Science and technology (科学技術)"),
    "経済活動": ("Economic activity", "Vitalisation of economic activities (経済活動)"),
    "職業能力・雇用機会": ("Jobs & skills", "Vocational skills or employment opportunities (職業能力・雇用機会)"),
    "消費者保護": ("Consumer protection", "Protection of consumers (消費者保護)"),
    "中間支援": ("Support for groups", "Liaison, advice or support for the groups above (中間支援)"),
    "条例で定める活動": ("Set by ordinance", "Activities set by a prefectural or city ordinance (条例で定める活動)"),
}
# English words a resident may type at the fields step (the prompt invites "child care,
# environment"): each names the field of that Japanese label. Besides these, the short and long
# English names above are understood too (Services.resolve_fields). Lower case, singular and plural.
FIELD_WORDS = {
    "保健・医療・福祉": (
        "health", "welfare", "medical", "medical care", "care", "elderly", "elderly care", "seniors",
        "older people", "disability", "disabilities", "disabled", "nursing", "mental health",
    ),
    "社会教育": ("education", "learning", "lifelong learning", "adult education", "study", "lectures"),
    "まちづくり": (
        "community", "community development", "town planning", "city planning", "urban planning",
        "neighborhood", "neighbourhood", "local community",
    ),
    "観光": ("tourism", "tourist", "tourists", "sightseeing"),
    "農山漁村・中山間地域": ("rural", "rural areas", "farming", "agriculture", "farm", "farms"),
    "学術・文化・芸術・スポーツ": ("culture", "arts", "art", "music", "sports", "sport", "academic", "history"),
    "環境保全": ("environment", "environmental", "nature", "green", "recycling", "conservation", "ecology", "climate"),
    "災害救援": ("disaster", "disasters", "disaster relief", "disaster prevention", "emergency"),
    "地域安全": ("safety", "community safety", "crime prevention", "security", "traffic safety"),
    "人権・平和": ("human rights", "peace", "rights"),
    "国際協力": (
        "international", "international cooperation", "international exchange", "foreign residents",
        "multicultural", "intercultural", "exchange",
    ),
    "男女共同参画": ("gender", "gender equality", "women", "equality"),
    "子どもの健全育成": (
        "children", "child", "kids", "youth", "child care", "childcare", "parenting", "child rearing",
        "child-rearing", "young people",
    ),
    "情報化社会": ("it", "information", "digital", "internet", "computers", "computer"),
    "科学技術": ("science", "technology", "science and technology"),
    "経済活動": ("economy", "economic", "business", "commerce", "local business", "shopping street"),
    "職業能力・雇用機会": ("jobs", "job", "employment", "job training", "skills", "work"),
    "消費者保護": ("consumer", "consumers", "consumer protection"),
    "中間支援": ("support for groups", "intermediary", "npo support"),
}

# matching/messages.py's reasons (why a division was suggested), same names and placeholders.
# {ka}, {project}, {facility}, {words}, {people} stay in Japanese: they are the names the city
# uses (a division, a budget project) and the citizen's own words.
MATCH_REASONS = {
    "REASON_FIELD": "It handles the field \"{field}\" your group chose",
    "REASON_PROJECT": "Your activity ({words}) relates to its project 「{project}」",
    "REASON_PROJECT_ITSELF": "Your activity ({words}) is a project of {ka}",
    "REASON_KEYWORD": "{ka} handles your activity ({words})",
    "REASON_PEOPLE": "{ka} supports the people you serve ({words})",
    "REASON_ROLE_PROJECT": "{words} take part in the activity, which relates to its project 「{project}」",
    "REASON_ROLE_KEYWORD": "{words} take part in the activity, which {ka} handles",
    "REASON_AUDIENCE": "Some participants are {words} (the activity's main field is another)",
    "REASON_TEXT_FIELD": "Your activity 「{word}」 belongs to the field \"{field}\"",
    "REASON_TEXT_FIELD_PEOPLE": "An activity for 「{word}」, in the field \"{field}\"",
    "REASON_TEXT_FIELD_PLACE": "An activity about 「{word}」, in the field \"{field}\"",
    "REASON_FACILITY": "The activity concerns 「{facility}」 of {ka}",
    "REASON_FACILITY_ITSELF": "The activity concerns 「{facility}」",
    "REASON_NAMED": "Your description names {ka}",
    "REASON_OWNED": "The activity concerns 「{word}」 at 「{facility}」, handled by {ka}",
    "REASON_FOR_PEOPLE": "{ka} supports 「{people}」 (the activity: {words})",
    "REASON_VENUE": "You meet at {words}",
    "REASON_VISITED": "The activity goes to or delivers to {words}",
    "REASON_REGISTERED": "Your group is registered with or funded by {words}",
    "REASON_PARTNER": "{words} are named as partners",
    "REASON_ORIGIN": "The group grew out of a course or gathering at {words}",
}
