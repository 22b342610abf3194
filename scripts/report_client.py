"""A team's report client, in plain `requests`: what a team's phone app or script does.

    python scripts/report_client.py --base-url http://127.0.0.1:8000 \\
        --username team --password demo-password --team 1 --community 5 \\
        --verifier-username secretary --verifier-password demo-password

It takes a token, posts today's report with two problems under an Idempotency-Key, posts it
again (a retry: the same report comes back with 200), moves the first problem to rectifying and
resolved, and — with a second account, since whoever resolved a fix cannot verify it — verifies
it. It prints each step and exits non-zero when the server answers otherwise than expected.
"""

import argparse
import sys
import uuid
from datetime import date, datetime, timedelta, timezone

import requests

TIMEOUT = 30


class Client:
    """One account's session against the API."""

    def __init__(self, base_url: str, username: str, password: str):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "en"
        response = self.session.post(
            f"{self.base_url}/api/auth/token/",
            data={"username": username, "password": password},
            timeout=TIMEOUT,
        )
        expect(response, 200, f"token for {username}")
        self.session.headers["Authorization"] = f"Token {response.json()['token']}"

    def post(self, path: str, *, expected: int, what: str, **kwargs) -> dict:
        response = self.session.post(f"{self.base_url}{path}", timeout=TIMEOUT, **kwargs)
        expect(response, expected, what)
        return response.json()


def expect(response: requests.Response, status: int, what: str) -> None:
    if response.status_code != status:
        sys.exit(f"{what}: expected {status}, got {response.status_code}: {response.text[:500]}")


def report_body(team: int, community: int, day: str) -> dict:
    deadline = (date.fromisoformat(day) + timedelta(days=3)).isoformat()
    return {
        "team": team,
        "date": day,
        "communities": [community],
        "texts": {
            "responsibility": "督导社区落实主体责任",
            "publicity": "张贴通告，发放宣传单",
            "mobilisation": "组织在职党员志愿者值守",
            "screening": "逐户排查返乡人员",
            "supplies": "核对口罩、消毒液库存",
        },
        "figures": {
            "households_visited": 86,
            "people_screened": 240,
            "returnees_found": 2,
            "leaflets": 300,
        },
        "problems": [
            {
                "community": community,
                "focus_area": "screening",
                "description": "3号楼返乡人员未登记",
                "deadline": deadline,
            },
            {
                "community": community,
                "focus_area": "supplies",
                "description": "卡点缺少红外线温度计",
                "deadline": deadline,
            },
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--team", type=int, required=True)
    parser.add_argument("--community", type=int, required=True)
    parser.add_argument("--date", help="the day reported on (YYYY-MM-DD); today by default")
    parser.add_argument("--verifier-username")
    parser.add_argument("--verifier-password")
    args = parser.parse_args(argv)

    team = Client(args.base_url, args.username, args.password)
    print(f"signed in as {args.username}")

    key = str(uuid.uuid4())
    day = args.date or shanghai_today()
    body = report_body(args.team, args.community, day)
    headers = {"Idempotency-Key": key}
    report = team.post(
        "/api/daily-reports/", json=body, headers=headers, expected=201, what="report"
    )
    print(f"posted report {report['id']} for {report['date']} with key {key}")
    again = team.post("/api/daily-reports/", json=body, headers=headers, expected=200, what="retry")
    if again["id"] != report["id"]:
        sys.exit(f"retry: expected report {report['id']}, got {again['id']}")
    print(f"retried: 200, the same report {again['id']}")

    problem = report["problems"][0]
    print(f"problems found: {', '.join(str(p['id']) for p in report['problems'])}")
    path = f"/api/problems/{problem['id']}"
    team.post(f"{path}/rectify/", data={"note": "已通知物业整改"}, expected=200, what="rectify")
    print(f"problem {problem['id']}: rectifying")
    team.post(f"{path}/resolve/", data={"note": "已补登记"}, expected=200, what="resolve")
    print(f"problem {problem['id']}: resolved")

    if args.verifier_username:
        verifier = Client(args.base_url, args.verifier_username, args.verifier_password or "")
        done = verifier.post(
            f"{path}/verify/", data={"note": "现场核实"}, expected=200, what="verify"
        )
        print(f"problem {problem['id']}: {done['status']} by {args.verifier_username}")
    return 0


def shanghai_today() -> str:
    """Today in Asia/Shanghai, the server's business day. Sent explicitly so that a retry
    names the same day even across midnight."""
    return datetime.now(timezone(timedelta(hours=8))).date().isoformat()


if __name__ == "__main__":
    sys.exit(main())
