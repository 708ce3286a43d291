"""Posting by API: the outbox, the job that empties it, and what people do with it.

queue      putting a post in (checked now, sent when due)
states     every change of a post's state, in one place
sender     sending or settling one post
lanes      the job: one lane per network server, side by side, each under a time budget
budget     what posting may cost on networks that bill per post (X)
actions    what a person does with their own posts
reading    what waits, and where each post stands
words      what a person is told, with what to do next
metrics    reading engagement back
"""

from advocacy.sharing.outbox.actions import (
    cancel_post,
    confirm_posted,
    delete_post,
    forget_person,
    looked,
    own_post,
    retry_post,
    send_again,
    share_by_link,
)
from advocacy.sharing.outbox.lanes import process_outbox, send_posts
from advocacy.sharing.outbox.metrics import fetch_metrics
from advocacy.sharing.outbox.queue import MAX_AHEAD, PostRequest, queue_post
from advocacy.sharing.outbox.reading import Standing, standing, waiting_counts
from advocacy.sharing.outbox.sender import BACKOFF_MINUTES, record_posted, send_post

__all__ = [
    "BACKOFF_MINUTES",
    "MAX_AHEAD",
    "PostRequest",
    "Standing",
    "cancel_post",
    "confirm_posted",
    "delete_post",
    "fetch_metrics",
    "forget_person",
    "looked",
    "own_post",
    "process_outbox",
    "queue_post",
    "record_posted",
    "retry_post",
    "send_again",
    "send_post",
    "send_posts",
    "share_by_link",
    "standing",
    "waiting_counts",
]
