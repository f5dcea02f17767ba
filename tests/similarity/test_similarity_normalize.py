"""The normaliser: disguises give the same tokens, real differences do not."""
from grader.similarity.blocks import read_blocks
from grader.similarity.normalize import normalize_block

ORIGINAL = """\
self._saved_for_backward(input)
negative = self.alpha * np.expm1(np.minimum(input, 0))
return self.lam * np.where(input > 0, input, negative)"""


def tokens(text, **context):
    return normalize_block(text.split("\n"), **context).tokens


def test_renamed_reformatted_commented_copy_gives_the_same_tokens():
    disguised = """\
# Reference: nobody
neg_part = self.alpha*np.expm1( np.minimum(input,0.) )  # why not
'''a docstring'''
self._saved_for_backward( input )
return (self.lam * np.where(input > 0,
                            input, neg_part))"""
    assert tokens(disguised) == tokens(ORIGINAL)


def test_dead_code_is_dropped_but_live_code_is_not():
    padded = """\
unused = np.zeros(3)
also_unused = unused + 1
pass
input.shape
if False:
    negative = 0
self._saved_for_backward(input)
negative = self.alpha * np.expm1(np.minimum(input, 0))
return self.lam * np.where(input > 0, input, negative)
print('unreachable')"""
    assert tokens(padded) == tokens(ORIGINAL)
    live = ORIGINAL.replace("return", "self.extra = negative\nreturn")
    assert tokens(live) != tokens(ORIGINAL)


def test_only_independent_statements_are_reordered():
    a = "x = input * 2\ny = input + 1\nreturn x - y"
    b = "y = input + 1\nx = input * 2\nreturn x - y"
    assert tokens(a) == tokens(b)
    dependent = "x = input * 2\nx = x + 1\nreturn x"
    swapped = "x = x + 1\nx = input * 2\nreturn x"
    assert tokens(dependent) != tokens(swapped)


def test_two_random_draws_keep_their_order():
    a = "m = np.random.rand(3)\nn = np.random.randn(3)\nreturn m + n"
    b = "n = np.random.randn(3)\nm = np.random.rand(3)\nreturn m + n"
    assert tokens(a) != tokens(b)


def test_own_attributes_are_renamed_but_interface_attributes_are_not():
    a = "self.mask = input > 0\nreturn input * self.mask"
    b = "self.keep = input > 0\nreturn input * self.keep"
    assert tokens(a) == tokens(b)
    assert tokens(a, outside_names=frozenset({"mask"})) != tokens(b, outside_names=frozenset({"mask"}))


def test_assignment_read_after_the_block_is_not_dead():
    assert tokens("out = input * 2", function_reads=frozenset({"out"}))
    assert tokens("out = input * 2") == ()


def test_stub_is_not_student_code_and_broken_code_still_tokenises():
    assert tokens("raise NotImplementedError('fill me')\npass") == ()
    broken = normalize_block(["x = = input", "return x"])
    assert not broken.parsed and broken.tokens == ("v0", "=", "=", "input", "return", "v0")


def test_blocks_are_named_by_method_and_lines_map_back():
    text = ("class Tanh(Layer):\n\tdef forward(self, input):\r\n\t\t# TODO START\n"
            "\t\ty = np.tanh(input)\n\t\treturn y\n\t\t# TODO END\n")
    [block] = read_blocks("layers.py", text)
    assert block.key == "layers.py:Tanh.forward:1" and block.start == 3
    assert set(block.normalized().lines) == {1, 2}
