"""`kyodo line richmenu`: build the rich menu (image + areas) and upload it, or just write it out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("line", help="LINE official account set-up")
    lsub = p.add_subparsers(dest="line_command", metavar="ACTION")
    lsub.required = True
    rm = lsub.add_parser("richmenu", help="build the rich menu and make it the default for every user")
    rm.add_argument("--dry-run", action="store_true", help="write the PNG and print the JSON; send nothing")
    rm.add_argument(
        "--output", default="richmenu.png", help="where --dry-run writes the image (default richmenu.png)"
    )
    rm.add_argument(
        "--font", default=None, help="a font file with Japanese glyphs (default: the shipped subset)"
    )
    rm.set_defaults(func=_richmenu)


def _richmenu(args: argparse.Namespace) -> int:
    import asyncio

    from bot.app import line_richmenu
    from bot.settings import Settings

    rm = line_richmenu()
    request = rm.richmenu_request()
    image, labelled = rm.render_image(Path(args.font) if args.font else None)
    if not labelled:
        print("warning: no Japanese font found; the menu image has icons but no labels", file=sys.stderr)
    if args.dry_run:
        Path(args.output).write_bytes(image)
        print(json.dumps(request, ensure_ascii=False, indent=2))
        print(f"wrote {args.output} ({len(image):,} bytes, {rm.WIDTH}x{rm.HEIGHT})", file=sys.stderr)
        return 0
    settings = Settings.from_env()
    if not settings.line_channel_access_token:
        print("LINE_CHANNEL_ACCESS_TOKEN is not set; use --dry-run to only build the menu", file=sys.stderr)
        return 2
    menu_id = asyncio.run(
        rm.upload(
            api_base_url=settings.line_api_base_url,
            data_api_base_url=settings.line_data_api_base_url,
            access_token=settings.line_channel_access_token,
            request=request,
            image=image,
        )
    )
    print(f"rich menu {menu_id} uploaded and set as the default")
    return 0
