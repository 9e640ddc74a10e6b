"""text/salience.py: which articles bear on policy."""

from newsbrief.text.salience import policy_angle


def test_a_policy_angle_needs_an_actor_or_two_policy_words() -> None:
    """One word naming a policy actor or instrument is enough; a company's "fiscal 2021" or
    "interest rates" alone is not policy."""
    assert policy_angle("The finance ministry said it was watching the yen closely.")
    assert policy_angle("Exports of furniture, which face higher U.S. tariffs, fell 9%.")
    assert not policy_angle("Revenue for fiscal 2021 rose 8%, helped by lower interest rates.")
    assert not policy_angle("We expect regulatory approval of the plant next year.")
    assert policy_angle("Regulatory approval came as interest rates fell.")  # two words
