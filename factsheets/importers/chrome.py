"""Lines of the site around a sheet: dropped wherever they stand, and the ones
after which nothing is the sheet's."""

import re

# Whole lines that belong to the site around a sheet, never to the sheet. (Those
# that also end it are in END, which is looked at first.)
CHROME = re.compile(
    r"^(?:printable banner|U\.S\. Department of State(?: - Great Seal)?|"
    r"Diplomacy in Action|Share(?: this page)?|Back to previous page|"
    r"Mobile|Print(?: this page)?|Email this Page|Subject Index|"
    r"Skip (?:Links|to (?:main )?content)|Home|Search|Menu|Close|"
    r"An official website of the United States [Gg]overnment.*|"
    r"Here['’]s how you know|Official websites use \.gov|"
    r"A \.gov website belongs to an official government organization.*|"
    r"Secure \.gov websites use HTTPS|A lock \(.*\) or https://.*|"
    r"OpenID is a service that allows you to sign in.*|You are in:.*|"
    r"(?:2017-2021 )?ARCHIVED CONTENT|"
    r"You are viewing ARCHIVED CONTENT.*|Content in this archive site is NOT UPDATED.*|"
    r"For current information, go to.*|This is archived content from the U\.S\. "
    r"Department of State.*|It is reproduced in full below\.|"
    r"U\.S\. Bilateral Relations Fact Sheets?(?::.*)?)$",
    re.I,
)
# Lines after which nothing is the sheet's: the related links end there.
END = re.compile(
    r"^(?:Back to Top|Sign[- ]?in|Do you already have an account on one of these "
    r"sites\?.*|Tags|Related Articles|Related Content|Related Stories|Recent Content|"
    r"Subscribe.*|Contact Us|Copyright Information|\[This is a mobile copy of .*\]|Short URL:.*|Twitter|Facebook|"
    r"Instagram|YouTube|Flickr|LinkedIn|E-?mail|White House|USA\.gov|Office of the "
    r"Inspector General|Archives?|FOIA|Site Map|No FEAR Act.*|Privacy.*|"
    r"Accessibility.*|The Lessons of 1989.*)$",
    re.I,
)
