"""The demo company in English."""

from __future__ import annotations

from .base import (
    Callout,
    CareersText,
    CertificationText,
    Checklist,
    ChoiceQuestion,
    CoursesText,
    DemoContent,
    FeedbackText,
    Heading,
    JobDescriptionText,
    MentoringText,
    PeopleText,
    Person,
    ProductCheckText,
    Stage,
    SurveyText,
    Text,
    TrueFalse,
)

PEOPLE = PeopleText(
    site_name="Onboarding",
    home_title="Onboarding",
    home_intro="<p>Welcome to the company's onboarding program.</p>",
    staff={
        "director": Person("Olga", "Smirnova", "General director"),
        "hr": Person("Irina", "Volkova", "HR specialist"),
        "sales_head": Person("Pavel", "Orlov", "Head of sales"),
        "mentor1": Person("Sergey", "Kuznetsov", "Senior account manager"),
        "mentor2": Person("Elena", "Sokolova", "Senior account manager"),
        "sysadmin": Person("Igor", "Belov", "System administrator"),
        "dept_head": Person("Viktor", "Zaitsev", "Head of the corporate clients department"),
        "manager1": Person("Roman", "Belov", "Account manager"),
        "manager2": Person("Daria", "Zaitseva", "Account manager"),
    },
    trainees=(
        Person("Anna", "Petrova"),
        Person("Dmitry", "Ivanov"),
        Person("Maria", "Fedorova"),
        Person("Alexey", "Morozov"),
        Person("Natalia", "Lebedeva"),
        Person("Ivan", "Novikov"),
        Person("Ekaterina", "Pavlova"),
        Person("Mikhail", "Semenov"),
        Person("Yulia", "Egorova"),
        Person("Andrey", "Kozlov"),
        Person("Olga", "Nikitina"),
        Person("Roman", "Zakharov"),
    ),
    trainee_job_title="Account manager",
)

INTRODUCTION = Stage(
    title="Introduction to the company",
    summary=(
        "Your first two days: who we are and how we work, the people you will work with, "
        "your accounts and software, where things are kept, and a briefing from the head "
        "of department on clients and your first tasks. You also read and sign your job "
        "description."
    ),
    body=(
        Heading("Welcome"),
        Text(
            "<p>We supply equipment and consumables to businesses across the region: "
            "offices, workshops, warehouses and shops. Most of our revenue comes from "
            "clients who order again and again, so an account manager's real job is to "
            "find a client, understand what they need and keep them for years.</p>"
            "<p>These two days are for getting settled. Nobody expects you to sell yet: "
            "read, ask, meet people and make sure all your tools work.</p>"
        ),
        Heading("Company information and policies"),
        Text(
            "<ul><li><b>Working hours</b>: 9:00 to 18:00, lunch 13:00 to 14:00. Tell "
            "the head of department before 9:30 if you are ill or late.</li>"
            "<li><b>Client data</b> stays in the CRM and on the company's drives. Never "
            "forward client lists or price calculations to private e-mail or "
            "messengers.</li>"
            "<li><b>Discounts</b> beyond the price list are approved by the head of "
            "department, in writing (an e-mail or a CRM comment is enough).</li>"
            "<li><b>Expenses</b> (taxi to a client, samples) are refunded against a "
            "receipt handed to accounting within five working days.</li></ul>"
        ),
        Callout(
            "info",
            "<p>The internal policies are in the <b>Company</b> folder of the shared "
            "drive. Read the code of conduct and the client data policy first; the rest "
            "can wait until the end of the week.</p>",
        ),
        Heading("Your colleagues"),
        Text(
            "<p>You will work every day with <b>sales</b> (your team and the head of "
            "department), <b>logistics</b> (reservations, shipping, deliveries) and "
            "<b>accounting</b> (invoices, payments, contracts). Introduce yourself to "
            "each of them on the first day: a deal only closes when all three work "
            "together.</p>"
        ),
        Heading("Accounts, software and shared drives"),
        Text(
            "<p>The system administrator creates your accounts: e-mail and the office "
            "suite, the accounting system (you will see stock, prices and invoices) and "
            "the CRM, where every client, call and deal lives.</p>"
            "<p>The shared drives: <b>Sales</b> holds the price lists, proposal templates "
            "and presentations; <b>Contracts</b> holds agreement and application "
            "templates and signed copies; <b>Company</b> holds policies and forms. Work "
            "from these files, not from copies on your desktop: they are updated.</p>"
        ),
        Checklist(
            "Your first two days",
            (
                ("policies", "Read the company information and internal policies"),
                ("colleagues", "Meet colleagues in sales, logistics and accounting"),
                ("email", "Create the e-mail and office suite accounts"),
                ("accounting", "Give access to the accounting system"),
                ("crm", "Get CRM access"),
                ("drives", "Find the price list and templates on the shared drives"),
                ("briefing", "Briefing on clients and first tasks with the head of department"),
                ("documents", "Hand in the employment documents to HR"),
                ("phone", "Set up the work phone and headset"),
            ),
        ),
    ),
)

PRODUCTS_AND_CUSTOMERS = Stage(
    title="Products and customer base",
    summary=(
        "The product range and how we sell, the basics of cold calling and phone "
        "etiquette; after about two days of training you start real calls and build your "
        "own customer base."
    ),
    body=(
        Heading("The product range"),
        Text(
            "<p>The catalogue has five groups: office equipment, consumables, warehouse "
            "equipment, packaging, and service contracts. Learn for each group who buys "
            "it, what problem it solves and two or three best sellers. Details (every "
            "article number) you will look up in the accounting system; nobody learns "
            "them by heart.</p>"
        ),
        Heading("How we sell"),
        Text(
            "<p>Every deal goes the same way, and the CRM follows it: <b>lead</b> (a "
            "company that might need us) → <b>first call</b> → <b>meeting</b> or "
            "detailed call → <b>commercial proposal</b> → <b>application</b> (the "
            "client's order) → <b>contract</b> and invoice → <b>shipment</b> → "
            "<b>repeat order</b>. Your results are measured in calls, meetings, "
            "applications and contracts: log each one in the CRM the same day.</p>"
        ),
        Heading("Cold calls and phone etiquette"),
        Text(
            "<ul><li>Introduce yourself and the company in one sentence, then ask for "
            "the person who buys equipment or supplies.</li>"
            "<li>Ask before you tell: what do they use now, how often do they order, "
            "what annoys them about their supplier?</li>"
            "<li>Aim for a next step, not a sale: a meeting, a proposal, a sample.</li>"
            "<li>Smile, speak slowly, never interrupt, and end every call by repeating "
            "what you agreed and when you will call back.</li></ul>"
        ),
        Callout(
            "tip",
            "<p>Training is kept short on purpose: after about two days you make real "
            "calls. The first ones are the hardest; the head of department listens in "
            "and gives feedback.</p>",
        ),
        Checklist(
            "Products and first calls",
            (
                ("catalogue", "Study the catalogue: the five product groups"),
                ("sales-system", "Learn the sales system, from lead to repeat order"),
                ("listen", "Listen to five recorded calls of experienced colleagues"),
                ("script", "Phone etiquette and cold-call script training"),
                ("first-calls", "Make your first 20 cold calls and log them in the CRM"),
                ("base", "Add your first 10 potential clients to your customer base"),
            ),
        ),
    ),
)

SALES_TRAINING = Stage(
    title="Sales training with a mentor",
    summary=(
        "Up to about four weeks with a mentor: proposals, documents, the CRM, client "
        "research, working with other departments, segmentation, prices and discounts. "
        "It ends with a product survey and a role-play certification."
    ),
    body=(
        Text(
            "<p>An experienced account manager becomes your mentor. You meet at least "
            "twice a week: they explain, you try on real clients, and together you look "
            "at what worked. Ask them everything; helping you is part of their job and "
            "of their bonus.</p>"
        ),
        Heading("Commercial proposals and documents"),
        Text(
            "<p>A commercial proposal fits on one page: the client's need in their own "
            "words, what we offer, the price with the discount explained, delivery and "
            "payment terms, and a deadline. Use the templates in <b>Sales</b> on the "
            "shared drive.</p><p>The documents of a deal: the <b>agreement</b> "
            "(framework contract, signed once), the <b>application</b> (each order: "
            "articles, quantities, prices, delivery date) and the <b>report</b> (what "
            "was shipped and paid, for the client's accounting).</p>"
        ),
        Heading("The CRM and client research"),
        Text(
            "<p>Enter every client completely: legal name and tax number, address, the "
            "decision maker and their phone, what they buy now and from whom. A client "
            "without a next step and a date is a forgotten client.</p><p>Look for new "
            "clients in business directories, tenders, industry exhibitions and our own "
            "lost clients; keep the research in the CRM, not in a private "
            "spreadsheet.</p>"
        ),
        Heading("Working with other departments"),
        Text(
            "<p>Accounting issues and signs invoices and contracts; logistics reserves "
            "goods and arranges shipping. Give them complete applications early in the "
            "day, check the reservation before you promise a date, and tell the client "
            "only what logistics has confirmed.</p>"
        ),
        Heading("Segments, the price list and discounts"),
        Text(
            "<p>Clients are segmented A (large, regular), B (regular) and C (occasional); "
            "spend your time accordingly. Prices come from the current price list only. "
            "Discounts follow two rules: a <b>volume</b> discount by order size, and a "
            "<b>deferred payment</b> surcharge or reduced discount when the client pays "
            "later. Your mentor shows you how to calculate both.</p>"
        ),
        Callout(
            "tip",
            "<p>Products are studied <b>most profitable first</b>: service contracts and "
            "warehouse equipment before consumables. Sell what earns the company most, "
            "then fill the order with the rest.</p>",
        ),
        Callout(
            "warning",
            "<p>The stage ends with a <b>product survey</b>, graded by your mentor or "
            "HR, and a <b>role-play certification</b>: you conclude a deal with your "
            "mentor playing the client. You have at most two attempts; passing it clears "
            "you to work with clients on your own.</p>",
        ),
        Checklist(
            "Sales training",
            (
                ("meet-mentor", "Meet your mentor and agree on a weekly schedule"),
                ("proposal", "Prepare a commercial proposal for a real client"),
                ("docs", "Learn the agreement, application and report"),
                ("crm-check", "Enter client data in the CRM, checked by the mentor"),
                ("research", "Research 30 potential clients and add them to the CRM"),
                ("departments", "Take one order through invoicing and shipping"),
                ("segments", "Segment your clients into A, B and C"),
                ("discounts", "Calculate volume and deferred-payment discounts"),
                ("profitable", "Study the five most profitable products first"),
            ),
        ),
    ),
)

WORK_RHYTHM = Stage(
    title="Normal work rhythm",
    summary=(
        "Real work with your own clients, under an experienced colleague or the head of "
        "department, until your results show you are ready to work independently "
        "(about six months from hire in total)."
    ),
    body=(
        Text(
            "<p>You now work with clients like everyone else, with one difference: an "
            "experienced colleague or the head of department reviews your deals with you "
            "every week and helps you analyse difficult situations: a client who went "
            "silent, a price objection, a late payment, a lost tender.</p>"
        ),
        Heading("What readiness looks like"),
        Text(
            "<ul><li>You reach the monthly plan for calls and meetings without "
            "reminders.</li><li>Your proposals and applications go out without "
            "corrections.</li><li>You close contracts on your own and your clients order "
            "again.</li></ul><p>When your results show this, your mentor or a director "
            "signs you off as ready to work independently. That completes your "
            "onboarding.</p>"
        ),
        Checklist(
            "Working under supervision",
            (
                ("weekly-review", "Agree on a weekly review of your deals"),
                ("situations", "Analyse three difficult client situations"),
                ("plan", "Reach the monthly call and meeting plan twice in a row"),
                ("first-contracts", "Close your first three contracts"),
                ("review", "Three-month review conversation with HR"),
            ),
        ),
    ),
)

JOB_DESCRIPTION = JobDescriptionText(
    title="Job description: account manager",
    general_provisions=(
        "<p>The account manager belongs to the sales department and reports to the head of "
        "department. They are hired and dismissed by order of the general director.</p>"
        "<p>The position requires secondary vocational or higher education and confident use "
        "of a computer and the phone; sales experience is welcome but not required: the "
        "company trains new account managers in its onboarding program.</p>"
        "<p>The account manager follows the company's internal policies, this job "
        "description, and the price list and discount rules in force.</p>"
    ),
    responsibilities=(
        "<ul><li>Find potential clients and build a customer base in the CRM.</li>"
        "<li>Make calls and hold meetings with clients to identify their needs.</li>"
        "<li>Prepare commercial proposals, applications and contracts using the company's "
        "templates and the current price list.</li>"
        "<li>Enter complete and correct data on clients, calls, meetings and deals in the "
        "CRM on the day they happen.</li>"
        "<li>Coordinate invoices, contracts, reservations and shipments with accounting and "
        "logistics.</li>"
        "<li>Follow up payments and repeat orders and keep long-term relationships with "
        "clients.</li>"
        "<li>Meet the monthly plan for calls, meetings, applications and contracts.</li></ul>"
    ),
    rights=(
        "<ul><li>Receive the information, documents and accounts needed for the work.</li>"
        "<li>Propose improvements to sales processes, templates and the price list.</li>"
        "<li>Offer discounts within the rules; request larger discounts from the head of "
        "department.</li><li>Receive training and the support of a mentor during "
        "onboarding.</li></ul>"
    ),
    service_connections=(
        "<p>The account manager receives tasks from the head of department and reports on "
        "them; works with accounting on invoices, contracts and payments, and with logistics "
        "on reservations, shipping and deliveries; during onboarding, works with the "
        "assigned mentor and with HR.</p>"
    ),
    responsibility=(
        "<p>The account manager is responsible for failing to perform the duties in this job "
        "description, for the accuracy of data entered in the CRM and of documents prepared "
        "for clients, for disclosing client data or commercial information, and for damage "
        "caused to the company, within the limits set by labour law.</p>"
    ),
)

COURSES = CoursesText(
    program_title="Account manager onboarding",
    program_intro=(
        "<p>Six months from your first day to working with clients on your own, in "
        "four stages. Each stage opens when the previous one is completed; this page "
        "and <b>My onboarding</b> always show where you stand and what to do next.</p>"
    ),
    stages={
        "introduction": INTRODUCTION,
        "products-and-customers": PRODUCTS_AND_CUSTOMERS,
        "sales-training": SALES_TRAINING,
        "work-rhythm": WORK_RHYTHM,
    },
    job_description=JOB_DESCRIPTION,
    drop_reason=(
        "Moved to the logistics department at her own request after the sales training; "
        "agreed with the head of sales."
    ),
)

MENTORING = MentoringText(
    rule_name="Standard mentoring (30 days)",
    base_tier="Base",
    increased_tier="Increased",
    meeting_note="Client meeting",
    referral_note="Recommended by a client",
    event_note="Industry exhibition",
    late_application_note="Entered in the CRM after the period was approved",
    dropped_reason="Trainee dropped",
    call_comments=(
        "Good greeting: name and company in the first sentence.",
        "Ask who else decides before you present the price.",
        "No next step: agree the date of the demo before hanging up.",
    ),
    call_review_comment="Needs found well; reach the decision-maker and agree the next step.",
)

SURVEY = SurveyText(
    title="Product survey: Kestrel MF-4200",
    description=(
        "What a director would ask you about our flagship multifunction printer: what "
        "it is, how it is packaged, delivered and used, and how you price it. Written "
        "answers are graded by your mentor; the calculation and the short questions "
        "are scored at once."
    ),
    written=(
        (
            "What are the main characteristics of the Kestrel MF-4200, and how does it differ "
            "from competitors' machines in its class?",
            "A3 colour MFP: print, copy, scan, fax; 42 pages a minute colour and black; "
            '1200 x 1200 dpi; duplex scanning in one pass (100 images a minute); 10.1" touch '
            "panel; up to 150,000 pages a month. Differences: the lowest cost per page in its "
            "class thanks to 28,000-page toners, one-pass duplex scanning where competitors "
            "scan twice, a 5-year warranty with our service contract, and toner and parts in "
            "stock at our warehouse (competitors order them for 3-4 weeks).",
        ),
        (
            "How is the MF-4200 packaged and delivered?",
            "One pallet, 1,200 x 800 mm, about 118 kg: the printer in a double-wall carton "
            "with foam corners, shrink-wrapped. In the box: starter toners (CMYK, 8,000 "
            "pages), drum units installed, power cable, USB cable, quick-start guide. Optional "
            "trays and the finisher come in separate cartons. Delivery to the door; unpacking "
            "and installation by our engineer if ordered with installation.",
        ),
        (
            "A customer urgently needs an MF-4200 that is out of stock. What do you offer?",
            "Check the reservation and the next arrival with logistics first. Offer: the "
            "MF-4250 (same platform, faster) from stock at the 4200's price if the head of "
            "department approves; a demo or rental machine from our service pool until theirs "
            "arrives; reserving the next delivery with a confirmed date. Never promise a date "
            "logistics has not confirmed.",
        ),
        (
            "A customer uses a Kestrel MF-3100 with a separate scanner and prints booklets in "
            "an outside print shop. Which MF-4200 options do you offer?",
            "The MF-4200 replaces both devices (one-pass duplex scanning). Offer the booklet "
            "finisher BF-40 (stapling, folding) to bring booklets in-house, the 2 x 500 sheet "
            "paper deck for larger runs, and the Wi-Fi/NFC card-reader kit if several "
            "departments share it. Their MF-3100 toner cannot be reused; offer to take the old "
            "machine for recycling.",
        ),
        (
            "What are the conditions of use of the MF-4200, and where can the client read them?",
            "Room 10-30 °C, 15-80 % humidity, a dedicated 220 V / 16 A socket, 10 cm clearance "
            "at the back and 60 cm at the front; 60-300 g/m² paper; original Kestrel "
            "consumables for the warranty to hold; recommended volume up to 15,000 pages a "
            "month. The client reads them in the user manual (in the box and on "
            "kestrel-office.example/mf4200) and in the warranty card and our service "
            "contract.",
        ),
        (
            "How soon does an MF-4200 that is in stock reach the customer?",
            "From our warehouse: next working day in the city when the application is "
            "confirmed and paid (or credit approved) by 14:00; 2-4 working days in the region "
            "by our carrier; installation within 2 working days after delivery.",
        ),
        (
            "How soon does an MF-4200 that is not in stock reach the customer?",
            "It is ordered from the distributor's central warehouse: 10-14 working days to our "
            "warehouse, then the usual next-day or regional delivery. Logistics confirms the "
            "date when the order is placed; tell the client only the confirmed date.",
        ),
    ),
    good_answers=(
        "A3 colour MFP, 42 ppm, one-pass duplex scanning, up to 150k pages a month. Cheaper per "
        "page than the competitors thanks to the big toners, and we keep toner and parts in "
        "stock.",
        "On one pallet in a carton with foam corners; starter toners and cables inside, trays "
        "and finisher in separate boxes. We deliver and can install.",
        "First ask logistics for the next arrival; offer the MF-4250 from stock if the head of "
        "department agrees, or a rental machine until theirs arrives.",
        "Replace both devices with the MF-4200 and add the BF-40 booklet finisher so they stop "
        "paying the print shop; the extra paper deck for long runs.",
        "Normal office conditions, its own socket, original consumables for the warranty; the "
        "client reads the manual in the box or on the Kestrel website and the warranty card.",
        "Next working day in the city if confirmed before 14:00, 2-4 days in the region.",
        "About two weeks from the central warehouse, then our normal delivery; logistics "
        "confirms the date.",
    ),
    weak_answers=(
        "It is a fast colour printer and copier, better than the others.",
        "In a box.",
        "Tell them to wait for the next delivery.",
        "The same machine with more paper.",
        "In the manual.",
        "A few days.",
        "About a month.",
    ),
    numeric_text=(
        "A B-segment client orders 12 MF-4200 at the list price of 48,500 RUB each. The "
        "volume discount is 5 % from 10 units; with 30 days of deferred payment the "
        "discount is reduced by 2 percentage points. The client pays in 30 days. What is "
        "the order total in RUB?"
    ),
    numeric_unit="RUB",
    numeric_explanation=(
        "12 x 48,500 = 582,000 RUB; 5 % - 2 points = 3 %; 582,000 x 0.97 = 564,540 RUB."
    ),
    numeric_grader_notes="564,540 RUB (± 1 RUB for rounding).",
    box_contents=ChoiceQuestion(
        text="What is in the MF-4200's box? Choose every correct answer.",
        explanation=(
            "Starter toners, drums (installed) and cables are in the box; the paper "
            "deck and the finisher are separate options."
        ),
        choices=(
            ("Starter toners for 8,000 pages", True),
            ("Power and USB cables", True),
            ("The 2 x 500 sheet paper deck", False),
            ("The BF-40 booklet finisher", False),
        ),
    ),
    audience=ChoiceQuestion(
        text="Which client is the MF-4200 made for?",
        explanation=(
            "Up to 15,000 pages a month recommended (150,000 maximum): a busy office or department."
        ),
        choices=(
            ("A home office printing 200 pages a month", False),
            ("An office printing up to 15,000 pages a month in A4 and A3", True),
            ("A print shop printing 500,000 pages a month", False),
        ),
    ),
    true_false=(
        TrueFalse(
            "The MF-4200 keeps its warranty when used with third-party toner.",
            correct=False,
            explanation="The warranty requires original Kestrel consumables.",
        ),
        TrueFalse(
            "An MF-4200 in stock reaches a client in the city the next working day when "
            "the application is confirmed by 14:00.",
            correct=True,
        ),
    ),
)

PRODUCT_CHECK = ProductCheckText(
    title="Product check: Kestrel MF-4200",
    description=(
        "A quick self-check on the flagship printer, scored at once: each attempt draws its own "
        "questions from the product's question bank and shuffles the answers. Retake it as "
        "often as you like."
    ),
    category="Products/Kestrel MF-4200",
)

CERTIFICATION = CertificationText(
    title="Role-play certification: conclude a deal",
    description=(
        "Your mentor plays a client who uses competitors' equipment; you find out "
        "what they need, present the MF-4200, handle their objections, agree on the "
        "deal and fill in the application. Passing it clears you for client work; "
        "you have two attempts."
    ),
    task=(
        "Role-play: the office manager of a 60-person logistics company calls about "
        "replacing two old printers and a scanner. Conclude the deal."
    ),
    grader_notes="Score each criterion 0-4; 14 of 20 passes. Note what to practise.",
    rubric=(
        ("Needs discovery", "Asks about volumes, current devices, costs and who decides."),
        ("Product knowledge", "Explains the MF-4200 and its options accurately for this client."),
        ("Handling objections", "Answers price and competitor objections calmly, with facts."),
        ("Closing", "Asks for the order or a concrete next step with a date."),
        ("Paperwork", "Fills in the application and names the documents correctly."),
    ),
    levels=(
        "4 — complete and confident, no prompting\n"
        "2 — partly: the grader had to prompt or something was missing\n"
        "0 — not done"
    ),
    place="Meeting room 2, head office",
)

FEEDBACK = FeedbackText(
    survey_weak="Too short: give the figures and name the options.",
    survey_good="Good; add delivery terms by region next time.",
    certification_weak="Closing came too late; practise asking for the order.",
    certification_good="Confident; the application was complete.",
    director_agreed="Agreed: the scores match the answers.",
)

CAREERS = CareersText(
    offices=(
        ("Moscow office", "Moscow"),
        ("St. Petersburg office", "St. Petersburg"),
        ("Ekaterinburg office", "Ekaterinburg"),
        ("Nizhny Novgorod office", "Nizhny Novgorod"),
    ),
    ladder_name="Account manager",
    levels=(
        ("Account manager", "No experience needed: students and first jobs welcome."),
        (
            "Account manager II",
            "A year or more; works in 1C, advises the customer competently, manages a "
            "telephone conversation correctly, resolves conflicts.",
        ),
        (
            "Senior account manager",
            "Two years or more, equal to a sales specialist: finds and establishes contact with "
            "new clients, negotiates successfully, may bring an established client base.",
        ),
        (
            "Lead account manager",
            "Three years or more, higher education, clients in senior positions; good English "
            "preferred where clients are abroad.",
        ),
    ),
    requirements={
        "certification": (
            "The role-play certification passed",
            "Book the certification with your mentor.",
        ),
        "calls": (
            "300 calls in the last 90 days",
            "Plan 25 calls a day in the CRM and log them.",
        ),
        "works_in_1c": (
            "Works in 1C: orders, invoices and the client card",
            "Ask your mentor to watch you process an order in 1C.",
        ),
        "resolves_conflicts": (
            "Resolves conflicts with customers calmly",
            "Take the next complaint call with your mentor listening.",
        ),
        "new_clients": (
            "Finds and establishes contact with new clients",
            "Bring three new clients from your own search to the weekly meeting.",
        ),
        "negotiates": (
            "Negotiates successfully with decision-makers",
            "Lead the next negotiation with the head of sales present.",
        ),
        "diploma": (
            "A diploma of higher education on file",
            "Bring your diploma to HR.",
        ),
        "senior_clients": (
            "Works with clients in senior positions",
            "Take over one of the head of sales' key accounts.",
        ),
    },
    entry_reason="Hired as an account manager.",
    promotion_reasons=(
        "A year of steady results; certified; handles complaints without escalation.",
        "New clients from their own search and the Stroymash framework contract.",
        "Leads the key accounts with directors of the largest clients.",
    ),
    confirmation_note="Seen in the weekly reviews of the last quarter.",
    diploma_title="Diploma of higher education",
)

CONTENT = DemoContent(
    language="en",
    people=PEOPLE,
    courses=COURSES,
    mentoring=MENTORING,
    survey=SURVEY,
    product_check=PRODUCT_CHECK,
    certification=CERTIFICATION,
    feedback=FEEDBACK,
    careers=CAREERS,
)
