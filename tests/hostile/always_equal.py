"""HOSTILE: get_hostname() returns an object whose __eq__ always says True (and that claims
to be a str)."""
# ruff: noqa


class Anything(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


def get_hostname():
    return Anything("whatever")


if __name__ == "__main__":
    print(f"Nombre del equipo: {get_hostname()}")
