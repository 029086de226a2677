#!/usr/bin/env python3
"""B4 baseline: the conversation-details export most Genesys Cloud users copy,
written with the official Python SDK (PureCloudPlatformClientV2).

The style of the examples and forum answers people start from:
  - log in with client credentials through the SDK,
  - call post_analytics_conversations_details_query page after page
    (page size 100, page numbers), one day at a time (the query rejects
    intervals over 7 days and more than 100,000 results per interval),
  - keep every conversation in memory (a list),
  - then write a CSV with the csv module (one row per conversation).
The SDK has no retry on 429, so, like most scripts that survive a rate
limit, it sleeps for Retry-After and tries the page again.

Usage (the secret comes from GENESYS_CLIENT_SECRET, like our CLI):
  python_sdk_baseline.py --host http://127.0.0.1:PORT --client-id ID \
      --from 2026-01-01 --days 30 --output out.csv
Prints one line: `conversations=N seconds=S`.
"""
import argparse
import csv
import datetime as dt
import os
import sys
import time

import PureCloudPlatformClientV2
from PureCloudPlatformClientV2.rest import ApiException


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD (UTC)")
    p.add_argument("--days", type=int, required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--page-size", type=int, default=100)
    a = p.parse_args()
    began = time.monotonic()

    PureCloudPlatformClientV2.configuration.host = a.host
    api_client = PureCloudPlatformClientV2.api_client.ApiClient().get_client_credentials_token(
        a.client_id, os.environ["GENESYS_CLIENT_SECRET"]
    )
    analytics = PureCloudPlatformClientV2.AnalyticsApi(api_client)

    conversations = []
    day = dt.datetime.strptime(a.start, "%Y-%m-%d")
    for _ in range(a.days):
        nxt = day + dt.timedelta(days=1)
        interval = f"{day:%Y-%m-%dT%H:%M:%S}.000Z/{nxt:%Y-%m-%dT%H:%M:%S}.000Z"
        page = 1
        while True:
            body = PureCloudPlatformClientV2.ConversationQuery()
            body.interval = interval
            body.order = "asc"
            body.order_by = "conversationStart"
            body.paging = PureCloudPlatformClientV2.PagingSpec()
            body.paging.page_size = a.page_size
            body.paging.page_number = page
            try:
                resp = analytics.post_analytics_conversations_details_query(body)
            except ApiException as e:
                if e.status == 429:
                    wait = int((e.headers or {}).get("Retry-After", "1"))
                    time.sleep(wait)
                    continue
                raise
            if not resp.conversations:
                break
            conversations.extend(resp.conversations)
            page += 1
        day = nxt

    with open(a.output, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Conversation ID", "Start", "End", "Direction", "Media type", "Queue", "Agent",
                    "Handle time (s)", "Talk time (s)", "Hold time (s)"])
        for c in conversations:
            media, queue, agent = "", "", ""
            handle = talk = hold = 0
            for part in c.participants or []:
                for s in part.sessions or []:
                    media = media or (s.media_type or "")
                    for seg in s.segments or []:
                        if seg.queue_id and not queue:
                            queue = seg.queue_id
                    for m in s.metrics or []:
                        if m.name == "tHandle":
                            handle += m.value
                        elif m.name == "tTalkComplete":
                            talk += m.value
                        elif m.name == "tHeldComplete":
                            hold += m.value
                if part.purpose == "agent" and part.user_id and not agent:
                    agent = part.user_id
            w.writerow([
                c.conversation_id,
                c.conversation_start.isoformat() if c.conversation_start else "",
                c.conversation_end.isoformat() if c.conversation_end else "",
                c.originating_direction or "", media, queue, agent,
                handle // 1000, talk // 1000, hold // 1000,
            ])
    print(f"conversations={len(conversations)} seconds={time.monotonic() - began:.2f}")


if __name__ == "__main__":
    sys.exit(main())
