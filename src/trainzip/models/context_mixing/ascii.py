"""What a byte is to the count model: named bytes, byte classes, and case folding.

Everything here is part of the code a file was written with: a class or a fold that changed would
change what every recorded setting decodes to.
"""

from trainzip.jit import kernel

TAB, LINE_FEED, CARRIAGE_RETURN, SPACE = ord("\t"), ord("\n"), ord("\r"), ord(" ")
EXCLAMATION, DOUBLE_QUOTE, APOSTROPHE = ord("!"), ord('"'), ord("'")
OPEN_PAREN, CLOSE_PAREN, OPEN_BRACKET, OPEN_BRACE, CLOSE_BRACE = ord("("), ord(")"), ord("["), ord("{"), ord("}")
COMMA, PERIOD, COLON, SEMICOLON, QUESTION = ord(","), ord("."), ord(":"), ord(";"), ord("?")
LESS, GREATER, UNDERSCORE = ord("<"), ord(">"), ord("_")
DIGIT_0, DIGIT_9 = ord("0"), ord("9")
UPPER_A, UPPER_Z, LOWER_A, LOWER_Z = ord("A"), ord("Z"), ord("a"), ord("z")
CASE_BIT = 0x20  # set in a lower-case letter, clear in its capital
PRINTABLE_END = 0x7F  # bytes 0x21..0x7E are printable ASCII

BYTE_VALUES = 256  # also the partial byte's: a leading 1, then up to 7 bits coded
BITS_PER_BYTE = 8

# byte_class: a byte's kind, 3 bits
OTHER, BLANK, NEWLINE, LOWER, UPPER, DIGIT, PUNCTUATION, SYMBOL = range(8)
CLASSES = 8
CLASS_BITS = 3


@kernel(inline=True)
def is_letter(byte):
    """An ASCII letter, either case."""
    return LOWER_A <= (byte | CASE_BIT) <= LOWER_Z


@kernel(inline=True)
def is_sentence_punctuation(byte):
    """. , ; : ! ? and the double quote: where prose pauses."""
    return (byte == PERIOD or byte == COMMA or byte == SEMICOLON or byte == COLON or byte == EXCLAMATION
            or byte == QUESTION or byte == DOUBLE_QUOTE)


@kernel(inline=True)
def byte_class(byte):
    """A byte's kind: other, blank, newline, lower, upper, digit, punctuation, or another symbol."""
    if byte == SPACE or byte == TAB:
        return BLANK
    if byte == LINE_FEED or byte == CARRIAGE_RETURN:
        return NEWLINE
    if LOWER_A <= byte <= LOWER_Z:
        return LOWER
    if UPPER_A <= byte <= UPPER_Z:
        return UPPER
    if DIGIT_0 <= byte <= DIGIT_9:
        return DIGIT
    if is_sentence_punctuation(byte) or byte == APOSTROPHE:
        return PUNCTUATION
    if EXCLAMATION <= byte < PRINTABLE_END:
        return SYMBOL
    return OTHER


@kernel(inline=True)
def fold_partial(c0, bit):
    """The partial byte c0 (``bit`` bits known, after a leading 1) with the case bit set once its
    first three bits say 010, a byte in 0x40-0x5F: 'C' then goes on as 'c' does. (The fold takes
    @[\\]^_ with it, to `{|}~: the partial byte cannot yet tell them from letters.)"""
    if bit >= 3 and ((c0 >> (bit - 3)) & 0b111) == 0b010:
        return c0 | (1 << (bit - 3))
    return c0


@kernel(inline=True)
def fold_byte(byte):
    """A whole byte as `fold_partial` sees it: 0x40-0x5F moved to 0x60-0x7F."""
    return byte | CASE_BIT if 0x40 <= byte <= 0x5F else byte


@kernel(inline=True)
def fold_case(c4):
    """Four bytes with ASCII capitals made lower case."""
    folded = 0
    for shift in range(0, 32, 8):
        byte = (c4 >> shift) & 0xFF
        if UPPER_A <= byte <= UPPER_Z:
            byte += CASE_BIT
        folded |= byte << shift
    return folded
