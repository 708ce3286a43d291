"""Demo content: topics, campaigns, items in every state, guidelines, key images."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.orm import Session

from advocacy.content.campaigns import save_campaign
from advocacy.content.images import store_image
from advocacy.content.models import Campaign, ContentItem
from advocacy.content.services import ItemData, TextData, save_item
from advocacy.governance.models import Guideline
from advocacy.governance.services import GuidelineData, publish_guideline
from advocacy.people.models import Group, User

CAMPAIGNS = (
    ("Tag der offenen Tür 2026", "200 Anmeldungen aus der Region für den Besuchstag.", -80, 20),
    ("Nachhaltigkeitsbericht 2026", "Den Bericht bei Kundschaft und Bewerbenden bekannt machen.",
     -60, None),
    ("Karriere-Offensive Herbst", "30 Bewerbungen auf die offenen Entwicklerstellen.", -40, 50),
)

# title, language, source class, intention, topics, campaign index, tiers, group, pinned,
# texts [(text, network, tier)], colour
ITEMS = (
    ("Unser Nachhaltigkeitsbericht 2026 ist da", "de", "own", "inform", ["Nachhaltigkeit"], 1,
     [], None, True,
     [("Wir haben unseren CO₂-Ausstoß seit 2020 halbiert. Was dahintersteckt, steht im neuen "
       "Bericht – ich finde besonders Kapitel 3 spannend.", None, None),
      ("Halbierter CO₂-Ausstoß seit 2020: unser Nachhaltigkeitsbericht 2026. #Nachhaltigkeit",
       "x", None),
      ("Transparenz ist uns wichtig: Im Nachhaltigkeitsbericht zeigen wir offen, wo wir stehen "
       "und was noch vor uns liegt.", None, 1)], "#2e7d32"),
    ("Tag der offenen Tür: Blick hinter die Kulissen", "de", "own", "inspire", ["Events"], 0,
     [], None, False,
     [("Am Samstag öffnen wir unsere Türen! Kommt vorbei und schaut euch an, woran wir "
       "arbeiten.", None, None),
      ("Besuchstag bei uns: Werkstatt, Labor und Kaffee. Ich bin auch da!", None, None)],
     "#ef6c00"),
    ("Wir suchen Backend-Entwicklerinnen und -Entwickler", "de", "own", "inform", ["Karriere"],
     2, [], None, False,
     [("Mein Team sucht Verstärkung im Backend. Python, PostgreSQL, nette Leute. Meldet euch "
       "gern bei mir!", None, None),
      ("Offene Stelle in meinem Team: Backend mit Python. Wer hat Lust?", "x", None)],
     "#1565c0"),
    ("Studie: KI im Mittelstand 2026", "de", "external", "educate", ["KI", "Studien"], None,
     [2], None, False,
     [("Eine lesenswerte Studie zum Einsatz von KI im Mittelstand. Meine Einschätzung: "
       "Die Datenqualität entscheidet.", None, None)], "#6a1b9a"),
    ("Keynote: Warum Vertrauen die wichtigste Währung ist", "de", "own", "inspire",
     ["Führung"], None, [1], None, False,
     [("Auf dem Digitalgipfel habe ich darüber gesprochen, warum Vertrauen jede Transformation "
       "trägt. Die Aufzeichnung ist jetzt online.", None, 1)], "#37474f"),
    ("Cloud migration: lessons from 40 projects", "en", "own", "educate", ["Cloud"], None,
     [2, 3], None, False,
     [("Forty migrations later, our architects share what they would do differently. "
       "Worth a read if cloud is on your roadmap.", None, None),
      ("40 cloud migrations, 7 lessons. #Cloud", "x", None)], "#00838f"),
    ("Neues Produkt: Sensorik für kleine Betriebe", "de", "own", "inform", ["Produkte"], None,
     [], "Vertrieb", False,
     [("Für alle, die mit kleinen Betrieben arbeiten: unsere neue Sensorik ist ab sofort "
       "verfügbar. Fragen beantworte ich gern.", None, None)], "#ad1457"),
    ("Azubi-Tag: Unsere Auszubildenden stellen ihre Projekte vor", "de", "personal",
     "entertain", ["Karriere", "Events"], 2, [], None, False,
     [("Stolz auf unsere Azubis! Heute haben sie ihre Projekte vorgestellt – großartig.", None,
       None)], "#f9a825"),
    ("Podcast: Fünf Mythen über Datenschutz", "de", "external", "educate", ["Datenschutz"],
     None, [], None, False,
     [("Kurzweilig und fundiert: fünf Mythen über Datenschutz im Faktencheck.", None, None)],
     "#4e342e"),
    ("Our approach to responsible AI", "en", "own", "inform", ["KI"], None, [], None, False,
     [("How we make sure our AI features stay explainable and fair.", None, None)], "#283593"),
)


def _image(colour: str, label: str) -> bytes:
    """A simple key visual drawn on the spot (no stock photos, no licences to check)."""
    image = Image.new("RGB", (1200, 630), colour)
    draw = ImageDraw.Draw(image)
    for step in range(0, 1200, 60):
        draw.line([(step, 630), (step + 300, 0)], fill=(255, 255, 255), width=2)
    draw.rectangle([60, 420, 1140, 570], fill=(255, 255, 255))
    draw.text((90, 470), label[:42], fill=colour, font=ImageFont.load_default(size=44))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def load_content(session: Session, author: User, approver: User, upload_dir: Path,
                 now: dt.datetime) -> list[ContentItem]:
    """Create what is missing; return every demo item."""
    campaigns = []
    for name, goal, start, end in CAMPAIGNS:
        campaign = session.scalar(sa.select(Campaign).where(Campaign.name == name))
        campaigns.append(campaign or save_campaign(
            session, None, name, goal, (now + dt.timedelta(days=start)).date(),
            (now + dt.timedelta(days=end)).date() if end is not None else None))
    groups = {g.name: g for g in session.scalars(sa.select(Group))}
    existing = {i.title: i for i in session.scalars(sa.select(ContentItem))}
    items = []
    for index, spec in enumerate(ITEMS):
        title, language, source, intention, topics, campaign, tiers, group, pinned, texts, \
            colour = spec
        if title in existing:
            items.append(existing[title])
            continue
        item = save_item(session, author, None, ItemData(
            title=title, url=f"https://example.com/{language}/news/{index + 1}",
            summary=texts[0][0][:180], language=language, source_class=source,
            intention=intention, topics=topics, tier_ids=set(tiers),
            campaign_id=campaigns[campaign].id if campaign is not None else None,
            group_ids={groups[group].id} if group else set(), is_pinned=pinned,
            hashtags=" ".join(topics), image_alt=title, image_licence="Eigene Grafik",
            image_credit="Kommunikation",
            texts=[TextData(t, n, tier) for t, n, tier in texts]))
        item.image_name = store_image(_image(colour, title), upload_dir, 8_000_000)
        # Spread the items over the last three months, newest last.
        live = now - dt.timedelta(days=88 - index * 8)
        item.state, item.approved_by_id = "approved", approver.id
        item.approved_at = item.live_from = item.created_at = live
        items.append(item)
    session.flush()
    _workflow_examples(session, author, now, existing)
    return items


def _workflow_examples(session: Session, author: User, now: dt.datetime,
                       existing: dict[str, ContentItem]) -> None:
    """One item in each other state, so the library shows the whole workflow."""
    examples = (
        ("Entwurf: Messeauftritt Hannover", "draft", None),
        ("In Prüfung: Interview mit unserer CTO", "review", None),
        ("Geplant: Jahresrückblick 2026", "approved", now + dt.timedelta(days=10)),
        ("Abgelaufen: Sommerfest 2026", "expired", None),
        ("Archiviert: Alte Pressemitteilung", "archived", None),
    )
    for title, state, live_from in examples:
        if title in existing:
            continue
        item = save_item(session, author, None, ItemData(
            title=title, url="https://example.com/de/news/workflow", language="de",
            texts=[TextData(f"{title} – mehr dazu im Link.")]))
        item.state, item.live_from, item.publish_at = state, live_from, live_from
        if state == "expired":
            item.withdrawn_reason = "expired"
    session.flush()


GUIDELINES = """<h2>Kurz und gut</h2>
<ul>
<li><strong>Sie sprechen für sich.</strong> Offizielle Stellungnahmen gibt die Kommunikation.</li>
<li><strong>Zeigen Sie, dass Sie hier arbeiten.</strong> Der Hinweis unter jedem Beitrag
bleibt stehen.</li>
<li><strong>Vertrauliches bleibt intern</strong>: Zahlen vor der Veröffentlichung, Kundennamen
ohne Freigabe, Interna.</li>
<li><strong>Private Meinung als solche kennzeichnen.</strong></li>
<li><strong>Freundlich bleiben</strong>, auch wenn es kontrovers wird. Nicht provozieren
lassen.</li>
<li><strong>Probleme melden</strong>: Kritische Kommentare oder Krisen an
kommunikation@example.com.</li>
</ul>
<p>Mitmachen ist freiwillig. Niemand muss teilen, und niemand sieht Ihre privaten
Profile.</p>"""


GUIDELINES_EN = """<h2>In short</h2>
<ul>
<li><strong>You speak for yourself.</strong> Official statements come from communications.</li>
<li><strong>Show that you work here.</strong> The line under every post stays.</li>
<li><strong>Confidential stays internal</strong>: figures before they are published, customer
names without approval, internal matters.</li>
<li><strong>Mark a private opinion as such.</strong></li>
<li><strong>Stay friendly</strong>, even when it gets controversial. Do not be provoked.</li>
<li><strong>Report problems</strong>: critical comments or crises to
kommunikation@example.com.</li>
</ul>
<p>Taking part is voluntary. Nobody has to share, and nobody sees your private
profiles.</p>"""


def load_guidelines(session: Session, admin: User, now: dt.datetime) -> Guideline:
    current = session.scalar(sa.select(Guideline).order_by(Guideline.version.desc()).limit(1))
    return current or publish_guideline(session, admin, {
        "de": GuidelineData("Social-Media-Leitfaden", GUIDELINES),
        "en": GuidelineData("Social media guidelines", GUIDELINES_EN)},
        now - dt.timedelta(days=100))
