"""Chain endpoints are https://, or plain http:// only to the machine itself or a private
network: a provider's URL often carries its API key, and lookups name customers'
transactions. Refused when the settings load, naming the setting and the chain, never the URL;
the HTTP client refuses too, should settings be made without validation."""

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from walletdesk.chains.http import HttpPool, UnusableUrl, in_clear_beyond_local_network
from walletdesk.chains.lookup import ChainClient
from walletdesk.chains.results import UNAVAILABLE, UNREACHABLE
from walletdesk.config import Settings

KEY = "d3adb33fc0ffee5ecret"

ACCEPTED = [
    f"https://mainnet.infura.io/v3/{KEY}",
    "https://api.trongrid.io",
    f"https://node.internal:8545/?apikey={KEY}",  # any host over https
    "http://127.0.0.1:8545",
    "http://127.8.9.10/rpc",
    "http://localhost:8545",
    "http://LOCALHOST./api",
    "http://[::1]:8545",
    "http://10.0.0.5:8545",
    "http://172.16.0.1/api",
    "http://172.31.255.254/api",
    "http://192.168.1.10:3002/api",
    "http://[fd12:3456::1]:8545",
    "http://[fc00::1]/",
    "http://[::ffff:192.168.0.1]/",
    f"http://user:{KEY}@10.1.2.3/",
    "",  # no endpoint: the chain is off
]

REFUSED = [
    f"http://mainnet.infura.io/v3/{KEY}",
    f"HTTP://api.trongrid.io/?key={KEY}",
    "http://node.internal:8545",  # a name other than localhost may resolve anywhere
    "http://localhost.example.com/",
    "http://8.8.8.8/",
    "http://11.0.0.1/",
    "http://172.15.255.255/",
    "http://172.32.0.1/",
    "http://192.169.0.1/",
    "http://169.254.169.254/",  # link-local: not a private network of the list
    "http://0.0.0.0:8545/",
    "http://2130706433/",  # 127.0.0.1 as a number: a name, not an IP literal
    "http://[2001:db8::1]/",
    "http://[fe80::1]/",
    f"http://user:{KEY}@203.0.113.7/",
]


@pytest.mark.parametrize("url", ACCEPTED)
def test_https_and_local_http_are_accepted(url):
    settings = Settings(environment="test", chain_endpoints={"ethereum": url})
    assert settings.chain_endpoints == {"ethereum": url}
    assert not in_clear_beyond_local_network(url)


@pytest.mark.parametrize("url", REFUSED)
def test_plain_http_beyond_the_local_network_is_refused(url):
    with pytest.raises(ValidationError) as refused:
        Settings(environment="test", chain_endpoints={"bitcoin": "https://mempool.space/api",
                                                      "tron": url})
    message = str(refused.value)
    assert "WALLETDESK_CHAIN_ENDPOINTS: the 'tron' endpoint must use https://" in message
    assert KEY not in message and url.split("//")[1].split("/")[0] not in message
    assert in_clear_beyond_local_network(url)


async def test_an_own_node_by_its_name_is_accepted_when_vouched_for():
    url = "http://geth:8545"  # a container's name: it may resolve anywhere, unless vouched
    with pytest.raises(ValidationError):
        Settings(environment="test", chain_endpoints={"ethereum": url})
    settings = Settings(environment="test", chain_endpoints={"ethereum": url},
                        chain_plain_http_hosts=["GETH."])
    assert settings.chain_endpoints == {"ethereum": url}
    assert HttpPool(url, limit=1, vouched=settings.chain_plain_http_hosts).unusable is None
    assert HttpPool(url, limit=1).unusable is not None  # the client's backstop without it
    other = Settings(environment="test", chain_plain_http_hosts=["geth"],
                     chain_endpoints={"ethereum": "https://x.example/rpc"})
    with pytest.raises(ValidationError):  # only the names vouched for
        other.model_validate({**other.model_dump(),
                              "chain_endpoints": {"ethereum": "http://erigon:8545"}})


async def test_the_client_refuses_it_too_when_settings_skipped_validation():
    url = f"http://mainnet.infura.io/v3/{KEY}"
    with pytest.raises(UnusableUrl) as refused:
        await HttpPool(url, limit=1).request(b"POST", "", b"{}")
    assert "plain http://" in str(refused.value) and KEY not in str(refused.value)
    settings = Settings(environment="test", chain_retries=0).model_copy(
        update={"chain_endpoints": {"bitcoin": f"http://203.0.113.7/{KEY}/api"}})
    client = ChainClient(settings)
    try:
        result = await client.look_up("bitcoin", "ab" * 32)
    finally:
        await client.close()
    assert (result.status, result.error) == (UNAVAILABLE, UNREACHABLE)


def test_the_desk_does_not_start_and_says_why(tmp_path):
    env = {**os.environ, "WALLETDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
           "WALLETDESK_CHAIN_ENDPOINTS": f'{{"ethereum": "http://mainnet.infura.io/v3/{KEY}"}}',
           "COLUMNS": "300"}
    done = subprocess.run([sys.executable, "-m", "walletdesk.cli", "db", "upgrade"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "the 'ethereum' endpoint must use https://" in " ".join(done.stdout.split())
    assert KEY not in done.stdout + done.stderr and "infura" not in done.stdout + done.stderr
    assert not (tmp_path / "x.db").exists()  # nothing done
