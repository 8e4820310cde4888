"""QR codes read back from images, as a phone's camera would read them."""

import subprocess
import tempfile


def decode_qr(zbarimg, png):
    """What zbarimg reads in the PNG image `png`: one line per code found."""
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(png)
        f.flush()
        result = subprocess.run(
            [zbarimg, "--raw", "-q", f.name], capture_output=True, text=True
        )
    return result.stdout.strip()
