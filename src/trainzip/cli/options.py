"""Options shared by the coding commands."""

import click

LEVEL_NAMES = ("fast", "default", "max")
"""The names of `trainzip.codec.presets.LEVELS`, here so that parsing a command line imports no codec
(tests/test_cli_startup.py checks that the two agree)."""

output_option = click.option("-o", "--output", metavar="OUT", help="Output file ('-' for stdout).")
force_option = click.option("-f", "--force", is_flag=True, help="Overwrite an existing output file.")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the run's figures as JSON on stdout.")
workers_option = click.option("-T", "--workers", type=click.IntRange(1), default=None,
                              help="Worker processes coding blocks (or seeds) in parallel [default: every core]; the "
                                   "output is the same for any number.")
memlimit_option = click.option(
    "--memlimit", "memory_limit", metavar="SIZE",
    help="Refuse to decode a block whose decoding would need more memory than SIZE (500M, 4GiB, ...; 'max': no "
         "limit), checked from the file's settings before anything is allocated [default: $TRAINZIP_MEMLIMIT, else "
         "3 GiB, enough for every level]; with -T N, each worker decodes one block at a time.")
ray_option = click.option("--ray", "ray_address", metavar="ADDRESS",
                          help="Code the blocks as tasks on the Ray cluster at ADDRESS ('auto': the one this "
                               "machine belongs to); needs pip install 'trainzip[ray]'.")
