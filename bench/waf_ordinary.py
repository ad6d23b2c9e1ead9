#!/usr/bin/env python3
"""WAF false positives on ordinary text written for the project (not from any corpus).

dev.jsonl's benign records are one sample of what users send. This script holds another,
written for Rampart: search queries that share words with SQL or the shell (`union jack
flag`, `drop earrings`), names and addresses with apostrophes and `#`, reviews and support
messages with punctuation, technical prose (paths, commands, error messages), identifiers
and tokens (JWT, UUID, hashes, cron lines), URLs, Unicode text, markdown; and API traffic:
OData / SCIM / Lucene filters, GraphQL documents, JSON Patch, templates, passwords, and
ordinary browser and client headers (User-Agent, Referer, Cookie, Accept...); and technical
text: support tickets with error messages and stack traces, forum posts with code.

Each text value is sent three ways (query parameter, JSON string, urlencoded form field);
the API records are sent as written. All run through the engine (examples/corpus_eval,
balanced profile). The report lists every refused record with its detection id: a few
values are kept on purpose as the exact shape of an attack (docs/waf.md says which).

Usage: bench/waf_ordinary.py [--eval PATH/corpus_eval] [--show]
Nothing is sent over the network; the request file lives in a temporary directory.
"""

import argparse
import json
import os
import re
import subprocess
import tempfile
import urllib.parse

from waf_shapes import corpus_eval

TEXT = r'''
union jack flag cushion
drop earrings gold plated
select comfort pillow king size
table and chairs set for 4
insert for ankle boots
script font for wedding invitations
medical alert bracelet
java coffee beans 1kg
python snake plush toy
ruby ring size 7
shell suit 90s
exec chair with lumbar support
exec summary
JavaScript: a first course for designers
VBScript: migrating old macros
null and void by daniel
all or nothing
and more
1/2 inch drill bit
5' 10" tall
o'reilly learning sql
c# programming for beginners
c++ primer 5th ed
.net core 8 tutorial
node.js for beginners
<3 love you
i </3 mondays
Séamus Ó hAodha
D'Angelo Russell
Mary-Kate O'Hara
Nguyễn Văn An
김민준
Zoë Saldaña
Bob Select
Sandra Union
Flat 2/1, 14 Byres Rd
Unit #5 - 12 Main St.
P.O. Box 1234
c/o The Old Mill, Lower Rd
1600 Amphitheatre Pkwy, Mountain View, CA 94043
Works great!!! 10/10 would buy again :-)
Not bad... but the size chart is off (order 1 size up)
Wasn't what I expected; returned it.
5 stars -- fast shipping & great price
Colour: 'midnight blue' (as pictured)
It's 100% cotton, machine-washable @ 30°C
The manual says: press & hold [RESET] for 5s
Price was $19.99 -> $14.99 after coupon
Tried it on Win 10 & macOS 14; both fine
Q: does it fit a 2019 model? A: yes
Email me at first.last@example.com or call (555) 010-9999
Meeting @ 3pm; bring the report + slides
He said "it's fine" -- it wasn't.
Error: ENOENT: no such file or directory, open '/tmp/x.json'
Set the PATH variable to include /usr/local/bin
the command `ls -la` shows hidden files
We moved from MySQL 5.7 to PostgreSQL 15 last year
Stack trace: at com.example.Foo.bar(Foo.java:42)
NullPointerException in thread "main"
Try Ctrl+Alt+Del and then log in again
C:\Users\Public\Documents\report.docx
See https://example.com/docs?page=2&sort=asc
eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c
3f2504e0-4f89-11d3-9a0c-0305e82c3301
sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
uploads/2024/05/img_0012.jpg
2024-05-01T12:30:00+01:00
PT1H30M
^1.2.3 || ~2.0.0
*/5 * * * *
+1 (555) 010-9999 ext. 12
€1.234,56
20% off everything this weekend
2*(3+4)=14
x^2 + y^2 = r^2
if a < b and b < c then a < c
-5°C tonight, bring a coat
1e-9 seconds
https://www.example.com/path/to/page?utm_source=newsletter&utm_medium=email
mailto:info@example.com
//cdn.example.com/lib/app.min.js
../images/logo.png
./docs/readme.md
مرحبا بالعالم
你好，世界
Καλημέρα σας
naïve café résumé
👨‍👩‍👧 family night 🎉
**bold** and _italic_ text
# Release notes for 2.3
> quoted text from the previous mail
- [ ] write tests
[docs](https://example.com/docs)
1. first
2. second
Please call me back; my number is 087 123 4567.
I can't select the delivery date in the dropdown
The update script failed with exit code 1
Can I exchange the union suit for a larger size?
Where do I insert the batteries?
How do I delete my account and all my data?
Please drop the package at the front desk
The sleeve length is 32" and the chest 44"
Model: X-200 / Rev. B (2021)
order by phone or online
sort by price (low to high)
from $10 to $50
where is my order?
between 2 and 5 business days
like new, barely used
having trouble logging in
limit 1 per customer
join our newsletter for 10% off
group by size please
exec summary attached
admin@example.com
root beer float recipe
passwd reset link expired
etc. etc.
/etc/ folder question
cmd + shift + 4 takes a screenshot on mac
win + r then type cmd
Get the latest version from the downloads page & run setup.exe
Call me at 9pm or later; not before.
rm -rf node_modules fixed it for me
wget is not installed on the server
My cat's name is Bash
Use echo "hello" > file.txt to create the file
SELECT * FROM the menu, anything is fine
I said 1=1 is always true in logic class
She's the CEO & founder
AT&T
Johnson & Johnson
Ben & Jerry's
M&M's
H&M gift card
R&D department
Q&A session at 5
Tom's Diner
Rock 'n' Roll
Guns N' Roses
'Til Tuesday
don't stop believin'
it's 5 o'clock somewhere
the '90s were great
'quoted' word
"double quoted" phrase
He wrote: 'yes' -- and left
order #12345; please expedite
ticket #4567 - still open
#hashtag #blessed
@mention me
$HOME is not set
50% done...
100%
~/Documents/taxes 2023.pdf
file:///C:/Users/me/Desktop/notes.txt
javascript tutorial for kids
html and css basics
<br> tags in my address show up literally
Use the <details> element for this
Type <Enter> to continue
e.g. <your name here>
a -> b -> c
x => x * 2
{name} placeholder missing
{{first_name}}, your order shipped
${price} is shown instead of the price
%s is shown in the email subject
Hello %name%
100 < 200 > 50
; comment in ini file
[section]
key=value
--verbose flag
-- signed, the team
/* note */ in the css
<!-- comment --> in html
<?xml version="1.0"?> header is missing
it works on localhost:8080 but not in prod
127.0.0.1 is my local machine
my router is at 192.168.1.1
10.0.0.0/8 is a private range
ssh user@host -p 2222
the /admin page says 403
../.. relative paths confuse me
null
undefined
NaN
true
false
None
N/A
-
--
---
...
?
!
0
-1
00000
1' 
O'
'
"
`
\
\n
%
&
#
;
|
'or'
or
and
not
select
union
drop
exec
sleep
benchmark
waitfor
delay
char
concat
version
user
database
information
schema
admin'
i'm
we're
you'll
they've
rock & roll; pop & soul
one|two|three
a | b
true || false
cat /dev/null explained
echo off
sleep 5 minutes before serving
the wait for delay was long
update: it arrived!
Update: still broken; tried again at 10:30.
Delete? Yes/No
insert coin to continue
set theory homework
let me know
var, let and const
function of x
import duties for EU orders
export to CSV
include gift receipt
require signature on delivery
eval copy of the software
system requirements: 8GB RAM
process server
document the process
window seat please
alert me when back in stock
prompt delivery appreciated
confirm my order
location: dublin
cookie dough ice cream
onload times are slow
onclick of the button nothing happens
the on error page shows a blank screen
img src is broken on mobile
iframe embed code for youtube
svg icon set
style guide v2
expression pedal for guitar
vbscript is deprecated
data: plan upgrade
base64 decoding question
powershell 7 install
bash: command not found
Traceback (most recent call last):
  File "app.py", line 10, in <module>
ORA-00942: table or view does not exist
ERROR 1064 (42000): You have an error in your SQL syntax
SQLSTATE[23000]: Integrity constraint violation
Warning: mysql_fetch_array() expects parameter 1
'); DROP TABLE students;-- is my son's name (xkcd joke)
select all that apply checkbox
order by price low to high
drop shipping suppliers uk
union station chicago hotels
insert tab dividers a4
delete key not working laptop
update bios dell latitude
create account without email
alter ego costume ideas
exec chair mesh 3 year warranty
table 1/2 price sale
from 9 to 5 dolly parton
where to buy 1 1/2" pvc pipe
sleep mask silk (2 pack)
benchmark cpu 2024
wait for it t-shirt
if you give a mouse a cookie book
case for iphone 15 pro
char broil grill cover
concat ring size 8
null island t-shirt
true religion jeans 32x30
false eyelashes natural look
"and then there were none" paperback
'the office' mug
rock 'n' roll hall of fame tickets
o'reilly auto parts near me
2 > 1 funny shirt
a <3 b necklace
it's 5 o'clock somewhere sign
50% off -- today only
#1 best seller kindle
c# in depth 4th edition
f# for fun and profit
<3 heart earrings
script writing software
javascript for kids book
ping pong table outdoor
curl brush for short hair
cat litter clumping 20 lb
echo dot 5th gen
find my phone app
kill a watchman paperback
ls 460 lexus parts
id card holder lanyard
whoami podcast season 2
sh-1 ok battery tester
sudo make me a sandwich shirt
rm 301 form instructions
passwd meaning in linux
etc etc meaning
windows 11 pro key
system of a down vinyl
shell necklace white
bash the trash game
powershell for sysadmins book
cmd + shift + 4 not working mac
alert bracelet for diabetics
prompt book for writers
onload rice cooker
on error resume next meaning
iframe embed code generator
eval sheet template
document.cookie explained
window film privacy
location services iphone off
union jack bean bag
1=1 meaning math
x or y shirt
me and you and everyone we know dvd
or else book
not for sale sign
is null the same as zero
1' vinyl letters
12" x 12" frame
10' x 20' canopy
The ring (2002) dvd
Pride & Prejudice (1995) box set
AC/DC back in black vinyl
Mr. & Mrs. Smith poster
Tom & Jerry | classic collection
Rock & Roll -- 50 greatest hits
"Best of" -- 2 CDs
wireless mouse; bluetooth; silent click
https://en.wikipedia.org/wiki/SQL_injection
https://docs.python.org/3/library/os.html#os.system
https://stackoverflow.com/questions/123/how-to-select-from-a-table?answertab=votes#tab-top
https://github.com/example/project/blob/main/src/etc/passwd_hash.rs
https://www.google.com/search?q=union+select+meaning&hl=en
https://example.com/wp-admin/admin.php?page=settings
https://shop.example.com/products?category=shoes&sort=price%20desc&filter[size]=42
https://example.com/path/to/file.php?id=5&action=view
https://maps.example.com/@53.3498,-6.2603,12z
https://example.com/#/dashboard?tab=alerts
https://cdn.example.com/assets/app.min.js?v=1.2.3
https://example.com/download/report.pdf?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc
https://user@example.com/private
https://example.com:8443/admin/login
https://192.0.2.10/status
http://localhost:3000/callback?code=abc123
https://example.com/search?q=%3Cscript%3E
https://example.com/a/../b/c
https://news.example.com/2024/05/01/why-we-dropped-table-tennis
https://example.com/cgi-bin/search.cgi?q=shoes
https://example.org/docs/bash-scripting-guide.html
https://example.com/etc/
https://example.com/?redirect=/account/orders
https://example.com/api/v1/users?filter=name%20eq%20%27Ann%27
https://ftp.example.com/pub/linux/kernel/v6.x/
ftp://ftp.example.com/pub/file.tar.gz
mailto:support@example.com?subject=Order%20123
tel:+353-1-555-0142
https://t.co/AbC123xYz
https://example.com/shell-necklace-white
'''.strip("\n").split("\n")

# Technical text: support tickets that paste errors, stack traces and paths, and developer-forum
# posts with code, commands and queries (written for the project). Some of these are refused on
# purpose because they are exactly an attack's shape (a whole SQL statement, `cat ~/.ssh/…`,
# `<?php`, a path into /etc): docs/waf.md lists them. A forum that takes code needs the
# exclusions docs/waf.md describes.
TECH = [
    'After the update I get "Error 500: Internal Server Error" when I open /account/settings.',
    'The app crashes with java.io.FileNotFoundException: /data/export.csv (No such file or directory)',
    'Stack trace: at com.shop.cart.CartService.add(CartService.java:118) at java.base/java.lang.Thread.run(Thread.java:833)',
    'Caused by: org.hibernate.exception.ConstraintViolationException: could not execute statement',
    'Exception in thread "main" java.lang.IllegalStateException: Connection pool shut down',
    'System.InvalidOperationException: Sequence contains no elements at System.Linq.Enumerable.First',
    "Uncaught TypeError: Cannot read properties of undefined (reading 'map') at app.js:42:17",
    'Warning: mysqli_connect(): (HY000/2002): Connection refused in /var/www/html/db.php on line 7',
    'Fatal error: Uncaught Error: Call to undefined function mb_strlen() in /srv/site/index.php:23',
    'django.db.utils.OperationalError: no such table: shop_order',
    'psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed',
    'Permission denied (publickey). I added my key but it still fails.',
    'The installer says: "Please close all programs and click Next to continue."',
    'I tried Ctrl+Alt+Del and then Task Manager > End task but it froze again.',
    'My order confirmation says "Total: $45.00 (incl. VAT @ 23%)" but I was charged $47.',
    'The link in the email goes to https://example.com/reset?token=abc123 and says expired.',
    'Please delete my account and all my data as per GDPR Art. 17.',
    'Can you update my email from jo@old-example.com to jo@new-example.com?',
    'I get a 404 on /products/tea/earl-grey?ref=newsletter&utm_source=email',
    'Our firewall blocks port 8443, can the webhook use 443 instead?',
    'Printer shows error E-04 (paper jam) but there is no paper stuck.',
    'The CSV import fails at row 1,204: "unexpected quote in field 3".',
    "On Windows 11 the app installs to C:\\Users\\Pat\\AppData\\Roaming\\Shop and won't start.",
    'The file C:\\Windows\\System32\\drivers\\etc\\hosts was changed by the VPN client, is that normal?',
    'I ran sudo systemctl restart nginx and now the site shows 502 Bad Gateway.',
    'Our cron job (*/5 * * * * php artisan schedule:run) stopped running after the migration.',
    'The API returns {"error": "invalid_grant", "error_description": "Token expired"} every time.',
    'Select "Other" in the dropdown and type your reason; the form rejects it.',
    'When I search for "rock & roll" or "AT&T" the results page is empty.',
    'Username: admin.jones, role: editor - please reset 2FA for this user.',
    "Invoice INV-2024-0042 shows VAT 0% but we're in Ireland (IE1234567X).",
    'The nightly export to s3://acme-exports/daily/ failed with AccessDenied.',
    'Windows Event Viewer shows Event ID 4625 (logon failure) every 5 minutes from 10.0.0.12.',
    'Tried clearing cache: Settings > Privacy > Clear browsing data > Cached images. No change.',
    'The page title shows &amp;amp; instead of & since the last release.',
    'Search for <b>bold</b> text shows the tags literally in the results.',
    "I pasted <script> by accident into my bio and now I can't save the profile.",
    'Error: ORA-00942: table or view does not exist when running the monthly report.',
    'The script /usr/local/bin/backup.sh exits with code 127 (command not found).',
    'Please whitelist my IP 203.0.113.45 for the admin panel.',
    'Try `docker compose logs -f web` to see why the container keeps restarting.',
    'Run kubectl get pods -n staging -o wide and check which node it landed on.',
    "I fixed it with: sed -i 's/localhost/db/g' config.yml",
    "awk -F, '{ total += $3 } END { print total }' sales.csv",
    'find . -name "*.tmp" -mtime +7 -delete cleans up old temp files.',
    'grep -rn "TODO" src/ | wc -l',
    'You need `chmod +x deploy.sh` before ./deploy.sh will run.',
    'ssh -L 5432:localhost:5432 bastion then connect psql to localhost.',
    'curl -s http://localhost:8080/health | jq .status',
    'pip install -r requirements.txt fails on Windows, any idea?',
    'npm run build && npm test passes locally but not in CI.',
    'Use `cp -r assets/ dist/` in the postbuild step.',
    'cat ~/.ssh/id_ed25519.pub and paste it into the deploy keys page.',
    'echo $PATH shows /usr/local/bin twice, is that a problem?',
    'export NODE_ENV=production; node server.js',
    "SELECT COUNT(*) FROM events WHERE created_at > now() - interval '1 day';",
    "UPDATE products SET price = price * 1.1 WHERE category = 'tea';",
    "INSERT INTO tags (name) VALUES ('green'), ('black'), ('oolong');",
    'CREATE INDEX idx_orders_status ON orders (status);',
    'Why is SELECT DISTINCT so slow on this table? It has 40M rows.',
    'DELETE FROM sessions WHERE expires_at < NOW(); runs every hour from cron.',
    'The ORM generates SELECT * FROM "user" WHERE "user"."id" = $1 LIMIT 1',
    "select name, email from customers where country = 'IE' order by name;",
    "You can use COALESCE(discount, 0) so nulls don't break the sum.",
    "WITH recent AS (SELECT * FROM orders WHERE placed > '2024-01-01') SELECT count(*) FROM recent;",
    'In Postgres, EXPLAIN ANALYZE shows the real timings.',
    'def add(a, b):\n    return a + b',
    'import numpy as np\nx = np.linspace(0, 1, 100)',
    'if __name__ == "__main__":\n    main()',
    "with open('data.txt') as f:\n    lines = f.readlines()",
    'const user = await fetch(`/api/users/${id}`).then(r => r.json());',
    "document.getElementById('total').textContent = sum.toFixed(2);",
    'console.log(JSON.stringify(obj, null, 2));',
    'arr.filter(x => x % 2 === 0).map(x => x * 10)',
    'useEffect(() => { setCount(count + 1); }, []);',
    '<div class="card"> <h2>Title</h2> <p>Body text</p> </div>',
    'Wrap it in <pre><code> tags so the indentation survives.',
    'The <img> tag needs an alt attribute for screen readers.',
    'Add <meta name="viewport" content="width=device-width, initial-scale=1"> to the head.',
    'Use <a href="/docs/getting-started">the guide</a> instead of a bare link.',
    'public static void main(String[] args) { System.out.println("hi"); }',
    'try { conn.close(); } catch (SQLException e) { log.warn("close failed", e); }',
    'fn main() { let v = vec![1, 2, 3]; println!("{}", v.len()); }',
    'match res { Ok(v) => v, Err(e) => return Err(e.into()) }',
    'func handler(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }',
    'var total = orders.Where(o => o.Paid).Sum(o => o.Amount);',
    "$sum = array_sum(array_column($rows, 'amount'));",
    'foreach ($items as $item) { echo $item[\'name\'] . "\n"; }',
    "<?php echo date('Y'); ?> in the footer keeps the copyright year current.",
    'Traceback (most recent call last): File "app.py", line 12, in <module> KeyError: \'user\'',
    'java.lang.NullPointerException at com.example.OrderService.total(OrderService.java:42)',
    "ERROR 1064 (42000): You have an error in your SQL syntax near 'order by id'",
    'The log says: connection refused (111) on 127.0.0.1:6379',
    'C:\\Users\\maria\\AppData\\Local\\Temp is full of old installers',
    'Set JAVA_HOME to C:\\Program Files\\Java\\jdk-21 and restart the terminal.',
    'Get-Process | Where-Object { $_.CPU -gt 100 } | Sort-Object CPU',
    'git rebase -i HEAD~3 then squash the fixups.',
    'git checkout -b feature/login && git push -u origin feature/login',
    'In vim, :%s/foo/bar/g replaces every foo.',
    'The cron line is 0 3 * * 1 /opt/backup/run.sh >> /var/log/backup.log 2>&1',
    'server { listen 80; server_name example.com; return 301 https://$host$request_uri; }',
    'location /static/ { alias /srv/app/static/; expires 30d; }',
    'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
    'image: postgres:16\nenvironment:\n  POSTGRES_PASSWORD: example',
    'Formula: =VLOOKUP(B2, Sheet2!A:C, 3, FALSE)',
    '=SUMIF(A:A, "Paid", C:C) gives the paid total.',
    'LaTeX: \\frac{a}{b} + \\sqrt{x^2 + y^2}',
    'regex ^\\d{3}-\\d{4}$ matches 555-1234',
    'The path is ../shared/config/settings.json relative to the app folder.',
    "Error: ENOENT: no such file or directory, open '/home/app/.env'",
    'Set the header X-Requested-With: XMLHttpRequest and it works.',
    'Change the port in /etc/nginx/sites-available/default and reload.',
    'while read line; do echo "$line"; done < input.txt',
    'for ((i=0; i<10; i++)); do sleep 1; done',
    'ls -la | grep node_modules',
    "Use || true at the end so set -e doesn't abort the script.",
    'cargo build --release 2>&1 | tee build.log',
    'Is it safe to run rm -rf ./build before each build?',
    'Why does 1 = 1 in SQL return true but NULL = NULL returns null?',
    'The admin panel is at /admin but it returns 403 for me.',
    'drop table if exists is handy in migration scripts',
    'Union types in TypeScript: type Id = string | number;',
    # a second round (23 November): posts that lead in with prose, config, errors, tickets
    'Quick tip: run df -h to see which disk is full before you delete anything.',
    "If the service won't start, look at journalctl -u myapp --since today for the reason.",
    'The error says permission denied on /var/www/html/uploads, so check the owner with ls -l.',
    "After upgrading I get: ModuleNotFoundError: No module named 'requests'",
    'Fixed it by adding export PATH=$HOME/bin:$PATH to my profile.',
    "In Python: with open('data.csv') as f: rows = list(csv.reader(f))",
    'You can count lines with wc -l access.log and compare with yesterday.',
    'My docker-compose.yml has ports: - "8080:80" but nothing answers on 8080.',
    'The nginx block is: location /api/ { proxy_pass http://127.0.0.1:3000; }',
    'Use git stash, then git pull --rebase, then git stash pop.',
    'In Ruby: users.select { |u| u.active? }.map(&:email)',
    "For MySQL: SHOW VARIABLES LIKE 'max_connections'; tells you the limit.",
    'SQL Server syntax is SELECT TOP 10 * FROM Orders ORDER BY OrderDate DESC',
    'Postgres tip: EXPLAIN ANALYZE shows where the time goes in a slow query.',
    'In C#: var names = people.Where(p => p.Age > 30).Select(p => p.Name).ToList();',
    'My crontab entry */5 * * * * /home/me/backup.sh never seems to run.',
    'Windows: open cmd and run ipconfig /all to see the DNS servers.',
    'The log shows GET /index.php?page=2 HTTP/1.1 200 but the page is blank.',
    "Set the header with res.setHeader('Content-Type', 'text/html; charset=utf-8');",
    'In TypeScript: function greet(name: string): string { return `Hello, ${name}`; }',
    "Error in console: Uncaught TypeError: Cannot read properties of undefined (reading 'map')",
    'The stack trace ends with at com.example.app.Main.run(Main.java:42)',
    'Try chmod 600 ~/.ssh/id_rsa, ssh refuses keys that others can read.',
    'The key file is in ~/.ssh and the permissions look right to me.',
    'I edited /etc/hosts to point test.local at 127.0.0.1 and now it works.',
    'Where does Apache keep its logs? I only see /var/log/apache2/other_vhosts_access.log',
    "In PHP: $name = htmlspecialchars($_POST['name'] ?? '', ENT_QUOTES);",
    'A React hook: const [count, setCount] = useState(0);',
    'Use <br> for a line break and <p> for paragraphs in the description field.',
    'You can embed it with <iframe src="https://www.youtube.com/embed/xyz" allowfullscreen></iframe>',
    'To make the link open in a new tab add target="_blank" to the <a> tag.',
    'The template uses {{ user.name }} and {% if user.admin %} blocks.',
    'Jinja2 filters: {{ price | round(2) }} works, {{ price | currency }} does not.',
    'Bash: if [ -f "$FILE" ]; then echo "exists"; fi',
    'To find big files: find / -size +100M -type f 2>/dev/null',
    'The command curl -I https://example.com shows the headers only.',
    'Run npm install && npm run build and then copy dist/ to the server.',
    'I use rsync -avz ./site/ user@host:/srv/www/ to deploy.',
    'Regex to match a date: \\d{4}-\\d{2}-\\d{2}',
    'Go: if err != nil { return fmt.Errorf("open config: %w", err) }',
    'Excel formula: =VLOOKUP(A2, Sheet2!A:B, 2, FALSE)',
    "The SQL was UPDATE users SET active = 0 WHERE last_login < '2020-01-01' and it took 3 minutes.",
    'Can someone explain why DELETE FROM sessions WHERE expires < NOW() locks the table?',
    'We use Redis: SET session:123 "data" EX 3600',
    'My .htaccess has RewriteRule ^(.*)$ index.php?q=$1 [L,QSA] and it loops.',
    'The Dockerfile starts FROM python:3.12-slim and copies requirements.txt first.',
    'Kubernetes says CrashLoopBackOff; kubectl logs pod/web-1 shows nothing useful.',
    'In Perl: my @sorted = sort { $a <=> $b } @numbers;',
    'Java 17: record Point(int x, int y) {}',
    'What does 2>&1 mean at the end of a command?',
    'Lua: for i, v in ipairs(list) do print(i, v) end',
    'Rust error: borrowed value does not live long enough (E0597)',
    'Our config file /etc/myapp/config.yaml is read at startup only.',
    'Just add the line include /etc/nginx/conf.d/*.conf; inside the http block.',
    'Use SELECT COUNT(*) instead of fetching every row when you only need the number.',
    'The JSON path $.store.book[0].title returns the first title.',
    'In Markdown, wrap code in backticks like `npm test` so it renders as code.',
    'Windows path C:\\Users\\Anna\\Documents\\report.docx is too long for the old tool.',
    'The powershell command Get-Process | Sort-Object CPU -Descending | Select-Object -First 5 lists the top five.',
    'Run python -m venv .venv and then source .venv/bin/activate',
    "Error 1045: Access denied for user 'root'@'localhost' (using password: YES)",
    "The query SELECT * FROM products WHERE name LIKE '%chair%' returns nothing.",
    'I tried UNION ALL to merge the two result sets but the column counts differ.',
    'Shell history: history | grep ssh shows every host I logged into.',
    'The service reads its token from /run/secrets/api_token inside the container.',
    'Set ulimit -n 65535 in the unit file with LimitNOFILE=65535 instead.',
    'Ansible: - name: install nginx apt: name=nginx state=present',
    'vim tip: :%s/foo/bar/g replaces every foo in the file.',
    'The onload handler in my <body onload="init()"> tag never fires in Safari.',
    "In JS, document.getElementById('total').textContent = sum.toFixed(2);",
    "Use window.location.href = '/login' to redirect after logout.",
    'My alert() shows [object Object] instead of the message, why?',
    'To install it: curl -fsSL https://get.example.com/install.sh | sh (read the script first!)',
    'Build steps: make clean && make -j4 && sudo make install',
    'The fix was sudo chown -R www-data:www-data /var/www/myapp',
    'I always run ls -la before deleting anything in that folder.',
    'On Windows: dir /s *.log lists every log file under the current folder.',
    'To see open ports: netstat -tulpn | grep LISTEN',
    'The env file has DATABASE_URL=postgres://app:secret@db:5432/app and nothing else.',
    'Our YAML: services: web: image: nginx:1.25 ports: ["80:80"]',
    'In TOML: [server] port = 8080 host = "0.0.0.0"',
    'The ini section is [database] user=app password=changeme',
    "Python: import os; print(os.environ.get('HOME'))",
    "Node: const fs = require('fs'); fs.readFileSync('config.json', 'utf8')",
    'I get Warning: include(header.php): failed to open stream in /var/www/html/index.php on line 3',
    "The SQL error was: You have an error in your SQL syntax; check the manual near 'ORDER BY' at line 1",
    'Traceback (most recent call last): File "app.py", line 12, in <module> main()',
    'PHP Fatal error: Uncaught Error: Call to undefined function mysql_connect()',
    'java.lang.NullPointerException at com.shop.cart.Cart.total(Cart.java:88)',
    'In JavaScript: if (a == null || b === undefined) { return; }',
    'Sort in bash: sort -t, -k2 -n data.csv | head',
    "You can use awk '{print $1}' access.log | sort | uniq -c | sort -rn | head to find top IPs.",
    "Use sed -i 's/old/new/g' file.txt to replace in place.",
    'Django: User.objects.filter(email__iexact=email).first()',
    "Laravel: DB::table('users')->where('votes', '>', 100)->get();",
    'Rails: User.where("created_at > ?", 1.week.ago).count',
    'Hibernate HQL: from Order o where o.total > :min',
    'MongoDB: db.orders.find({ status: "paid" }).limit(5)',
    'GraphQL: query { user(id: 5) { name email } }',
    'cURL example: curl -X POST -H "Content-Type: application/json" -d \'{"a":1}\' https://api.example.com/v1/items',
    'An HTML snippet: <div class="card"><h2>Title</h2><p>Body text</p></div>',
    'Use <strong> rather than <b> for emphasis in the product text.',
    'Our email template has <img src="https://cdn.example.com/logo.png" alt="Logo" width="120">',
    'The CSS selector a[href^="http"] matches external links.',
    'The SVG is <svg width="24" height="24" viewBox="0 0 24 24"><path d="M12 2L2 7l10 5 10-5-10-5z"/></svg>',
    'A markdown link looks like [docs](https://example.com/docs) and an image like ![alt](pic.png)',
    'Bash variables: name="world"; echo "hello $name"',
    'PowerShell: $files = Get-ChildItem C:\\Logs -Recurse; $files.Count',
    'The config says timeout=30s and retries=3; raise the timeout if the upstream is slow.',
    "What is the difference between 'or' and '||' in Ruby?",
    'Is it x != null or x !== null in JS?',
    'My formula =SUM(B2:B10)/COUNT(B2:B10) gives #DIV/0! when the range is empty.',
    'The regex (?i)^select\\s+ matches statements that start with select.',
    'This is my .gitignore: node_modules/ dist/ .env *.log',
    'The error mentions /usr/lib/python3/dist-packages/requests/adapters.py',
    'I found the binary at /usr/local/bin/node but which node prints nothing.',
    'Please delete my account and all data (order #4471, email anna@example.com).',
    'My password reset link says expired after 5 minutes, can you extend it?',
    "The app crashes when I type a single quote ' in the search box.",
    "I tried the code 'SPRING-25' but the checkout says invalid.",
    'Can you add dark mode? My eyes hurt at 2 am :)',
    'Bug: the total shows $NaN when the cart has 0 items.',
    'The invoice shows 19% VAT but it should be 7% for books.',
    'Items 3 & 4 arrived broken; photos attached.',
]


UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def text_records():
    for i, v in enumerate(TEXT):
        q = urllib.parse.quote(v, safe="")
        yield f"text-{i:03d}-query", "GET", f"/search?q={q}", None, None, {}
        yield f"text-{i:03d}-json", "POST", "/api/v1/comments", "application/json", json.dumps({"text": v, "n": 1}), {}
        form = "name=Ann&message=" + urllib.parse.quote_plus(v)
        yield f"text-{i:03d}-form", "POST", "/contact", "application/x-www-form-urlencoded", form, {}


def tech_records():
    for i, v in enumerate(TECH):
        yield f"tech-{i:03d}-json", "POST", "/api/v1/threads/7/comments", "application/json", json.dumps({"body": v, "format": "markdown"}), {}
        form = "thread=7&comment=" + urllib.parse.quote_plus(v)
        yield f"tech-{i:03d}-form", "POST", "/forum/reply", "application/x-www-form-urlencoded", form, {}


def api_records():
    recs = []

    def get(q, name="q"):
        recs.append(("GET", "/api/items?" + name + "=" + urllib.parse.quote(q, safe=""), None, None, {}))

    def rawget(qs):
        recs.append(("GET", "/api/items?" + qs, None, None, {}))

    def js(obj, path="/api/v1/data"):
        recs.append(("POST", path, "application/json", json.dumps(obj), {}))

    def hdr(name, val):
        recs.append(("GET", "/", None, None, {name: val}))

    # OData / SCIM / Lucene / filter syntaxes
    for q in ["Name eq 'Milk' and Price lt 2.55", "startswith(CompanyName,'Alfr') eq true", "Price gt 20 or Category/Name eq 'Beverages'",
              "year(BirthDate) eq 1971", "contains(Description,'select')", "not endswith(Name,'ilk')"]:
        rawget("$filter=" + urllib.parse.quote(q, safe="'(),/"))
    rawget("$select=Name,Price&$orderby=Price desc&$top=10&$skip=20".replace(' ', '%20'))
    rawget("$expand=Orders($filter=Amount gt 100;$select=Id)".replace(' ', '%20'))
    for q in ['userName eq "bjensen"', 'emails[type eq "work" and value co "@example.com"]', 'meta.lastModified gt "2011-05-13T04:42:34Z"',
              'title pr and userType eq "Employee"', 'name.familyName co "O\'Malley"']:
        get(q, 'filter')
    for q in ['name:john AND age:[20 TO 30]', 'title:"the quick fox" OR body:fox~2', '+apple -banana', 'status:(active OR pending) AND NOT deleted:true',
              'site:example.com "exact phrase" -exclude', 'price:>=10 price:<=20', 'author:o\'brien', '(a OR b) AND (c OR d)', 'tags:"c++" AND lang:en',
              'is:open is:pr label:bug', 'created:>2024-01-01', 'user.name:admin*', 'path:/var/log/app', 'ext:sql select']:
        get(q)
    for qs in ["sort=-created_at&fields=id,name,email", "filter[status]=active&filter[type]=admin&page[size]=25", "price[gte]=10&price[lte]=20",
               "include=author,comments.author", "ids[]=1&ids[]=2&ids[]=3", "where=%7B%22age%22%3A%7B%22gt%22%3A18%7D%7D",
               "order=name%20asc,created%20desc", "select=id,title&order=id.desc&limit=10", "id=eq.5&status=in.(active,pending)",
               "callback=jQuery1123_1700000000000", "redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback%3Fstate%3Dxyz",
               "next=%2Fdashboard%3Ftab%3Dsettings", "return_to=/account/orders/123", "utm_source=google&utm_medium=cpc&utm_campaign=spring_sale_2024&gclid=EAIaIQobChMI",
               "lang=en-US&tz=Europe%2FDublin", "date_from=2024-01-01&date_to=2024-12-31", "q=%22drop%20shipping%22%20supplier",
               "fmt=json&pretty=1", "cols=a;b;c", "range=0-99", "bbox=-6.4,53.2,-6.1,53.4", "color=%23ff0000", "path=docs/guide/intro.md",
               "file=report-2024-Q1.pdf", "template=invoice_v2.html", "view=../list"]:
        rawget(qs)
    # GraphQL
    for g in ['query { user(id: 1) { name email } }',
              'query GetOrders($first: Int!, $after: String) { orders(first: $first, after: $after) { edges { node { id total } } pageInfo { hasNextPage endCursor } } }',
              'mutation UpdateUser($id: ID!, $input: UserInput!) { updateUser(id: $id, input: $input) { id name } }',
              '{ search(query: "select union") { ... on Product { name } } }',
              'query { __typename }',
              'fragment userFields on User { id name } query { me { ...userFields } }',
              'subscription { messageAdded(channel: "general") { text from { name } } }']:
        js({"query": g, "variables": {"first": 10, "id": "u_1"}, "operationName": None}, "/graphql")
    # JSON API shapes
    js({"op": "replace", "path": "/address/city", "value": "Cork"}, "/api/v1/users/1")
    js([{"op": "add", "path": "/tags/-", "value": "new"}, {"op": "remove", "path": "/items/0"}, {"op": "copy", "from": "/a/b", "path": "/c"}], "/api/v1/users/1")
    js({"jsonpath": "$.store.book[?(@.price < 10)].title"})
    js({"regex": "^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@example\\.com$"})
    js({"cron": "0 */6 * * 1-5", "command_label": "nightly export", "timezone": "Europe/Dublin"})
    js({"sql_dialect": "postgres", "description": "Report of orders where total > 100 grouped by month"})
    js({"html": "<p>Hello <strong>world</strong></p><ul><li>one</li><li>two</li></ul>", "format": "html"})
    js({"html": "<p>See <a href=\"https://example.com/docs\">the docs</a> and <img src=\"/img/logo.png\" alt=\"logo\"></p>"})
    js({"markdown": "## Steps\n\n1. Open `settings.json`\n2. Set `\"debug\": true`\n3. Restart with `npm run dev`\n\n```js\nconsole.log('ok');\n```"})
    js({"svg_color": "#336699", "css": "body { font-family: 'Helvetica Neue', Arial, sans-serif; margin: 0 auto; }"})
    js({"template": "Hello {{ user.first_name }}, your order {{ order.id }} ships on {{ date | format('%d %b') }}."})
    js({"template": "Dear ${customer}, thank you for order #${orderId}."})
    js({"address": {"line1": "Apt. 5, 12 Rue de l'Église", "city": "Québec", "postal": "G1R 4P5"}, "phone": "+1-418-555-0199"})
    js({"comment": "I think 1 + 1 = 2 and 2 > 1; therefore (a || b) && !c is fine.", "rating": 4})
    js({"password": "Tr0ub4dor&3", "password_confirm": "Tr0ub4dor&3"}, "/api/v1/register")
    js({"password": "correct horse battery staple"}, "/api/v1/register")
    js({"password": "P@ssw0rd!2024#"}, "/api/v1/register")
    js({"password": "x'-- Yz9!"}, "/api/v1/register")
    js({"bio": "Software engineer. I like Rust, Go & C++. Previously at ACME (2015–2020). Opinions are my own."})
    js({"bio": "DBA for 10 years: Oracle, SQL Server, MySQL. Fan of SELECT statements that actually use the index."})
    js({"bio": "Pen-tester & security researcher; OSCP. I write about XSS, SQLi and SSRF on my blog."})
    js({"title": "How to prevent SQL injection in PHP?", "body": "I'm using mysqli and building queries with string concatenation. What is the safe way?"})
    js({"title": "Why does my script tag not load?", "body": "My page includes a script tag with the src attribute pointing to /static/app.js but the console shows 404."})
    js({"user_agent_note": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"})
    js({"file_name": "Q3 report (final) v2.xlsx", "mime": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    js({"image": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="})
    js({"command": "restart", "target": "web-01", "reason": "deploy 2.4.1"}, "/api/v1/ops")
    js({"shell": "/bin/bash", "home": "/home/deploy", "uid": 1001}, "/api/v1/users")
    js({"url": "https://hooks.example.com/services/T000/B000/XXXX", "events": ["push", "pull_request"]}, "/api/v1/webhooks")
    js({"query": "SELECT id, name FROM users WHERE active = true LIMIT 10", "datasource": "analytics"}, "/api/v1/reports/preview")
    js({"expr": "sum(rate(http_requests_total{job=\"api\",status=~\"5..\"}[5m])) by (instance)"}, "/api/v1/alerts")
    js({"log_line": "2024-05-01 12:00:01 ERROR [main] c.e.App - Connection refused: localhost/127.0.0.1:5432"})
    js({"note": "Call +353 (0)21 123 4567 between 9–5; ask for Máire. If no answer, email máire@example.ie."})
    js({"search": "C:\\Program Files\\Common Files"})
    js({"diff": "--- a/app.py\n+++ b/app.py\n@@ -1,3 +1,3 @@\n-print('hi')\n+print('hello')\n"})
    js({"emoji": "🔥🔥🔥 best purchase ever!!! 💯", "lang": "en"})
    js({"rtl": "שלום עולם", "ar": "السلام عليكم ورحمة الله", "hi": "नमस्ते दुनिया", "ja": "こんにちは世界", "th": "สวัสดีชาวโลก"})
    # headers
    for ua in ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
               "curl/8.5.0", "python-requests/2.31.0", "Go-http-client/2.0", "okhttp/4.12.0", "PostmanRuntime/7.36.0",
               "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Wget/1.21.4", "Java/17.0.9", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
               "Apache-HttpClient/4.5.14 (Java/17.0.2)", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"]:
        hdr("User-Agent", ua)
    for ref in ["https://www.google.com/search?q=select+comfort+union+drop+earrings&oq=select", "https://example.com/search?q=%3Cscript%3E+tag+meaning",
                "https://app.example.com/reports?filter=status%20eq%20%27open%27", "http://localhost:3000/dev/page", "android-app://com.google.android.gm/"]:
        hdr("Referer", ref)
    for ck in ["_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; _fbp=fb.1.1700000000000.123456789",
               "session=eyJ1c2VyIjoxfQ.ZXhhbXBsZQ.c2lnbmF0dXJl; csrftoken=abcDEF123; theme=dark",
               "cart=%7B%22items%22%3A%5B%7B%22sku%22%3A%22A1%22%2C%22qty%22%3A2%7D%5D%7D", "prefs={\"lang\":\"en\",\"cols\":[\"a\",\"b\"]}",
               "OptanonConsent=isGpcEnabled=0&datestamp=Mon+Jan+01+2024+10%3A00%3A00+GMT%2B0000&version=202310.1.0&groups=C0001%3A1%2CC0002%3A0",
               "last_search=drop+table+legs; recent=select,union"]:
        hdr("Cookie", ck)
    for h, v in [("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"), ("Accept-Language", "en-IE,en;q=0.9,ga;q=0.8"),
                 ("X-Forwarded-For", "203.0.113.7, 10.0.0.12"), ("X-Forwarded-Host", "shop.example.com"), ("If-None-Match", 'W/"5e15153d-120f"'),
                 ("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"), ("X-Request-Id", "req_01HXYZABCDEF"), ("Origin", "https://app.example.com"),
                 ("Content-Disposition", 'attachment; filename="report.pdf"'), ("Sec-CH-UA", '"Chromium";v="120", "Not?A_Brand";v="24"')]:
        hdr(h, v)
    for i, r in enumerate(recs):
        yield (f"api-{i:03d}",) + r


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", default=None, help="corpus_eval binary (built when missing)")
    ap.add_argument("--show", action="store_true", help="print each refused record's request too")
    a = ap.parse_args()
    evaluator = corpus_eval(repo, a.eval)
    counts = {"text": 0, "api": 0, "tech": 0}
    desc = {}
    with tempfile.TemporaryDirectory(prefix="waf-ordinary-") as tmp:
        path = os.path.join(tmp, "ordinary.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for rid, method, uri, ctype, body, extra in list(text_records()) + list(tech_records()) + list(api_records()):
                counts[rid.split("-")[0]] += 1
                desc[rid] = " ".join(f"{k}: {v}" for k, v in extra.items()) or f"{uri} {body or ''}"
                headers = {"Host": "localhost", "User-Agent": UA}
                headers.update(extra)
                if ctype:
                    headers["Content-Type"] = ctype
                rec = {"id": rid, "source": "ordinary", "class": "benign", "expect": "allow",
                       "method": method, "uri": uri, "headers": headers, "body": body}
                f.write(json.dumps(rec) + "\n")
        out = subprocess.run(
            [evaluator, path, "--show-fp"], capture_output=True, text=True, check=True
        ).stdout
    refused = {"text": 0, "api": 0, "tech": 0}
    for line in out.splitlines():
        m = re.match(r"FP ((text|api|tech)-\d+\S*) \[([a-z0-9-]+) @(\S+)\]", line)
        if not m:
            continue
        refused[m.group(2)] += 1
        rid = m.group(1)
        sets = {"text": TEXT, "tech": TECH}
        what = sets[m.group(2)][int(rid.split("-")[1])] if m.group(2) in sets else desc[rid]
        print(f"refused {rid:15} {m.group(3):18} {what[:90]!r}")
        if a.show:
            print(f"        at {m.group(4)}: {desc[rid][:300]}")
    print()
    print("| set | records | refused | share |\n|---|---:|---:|---:|")
    for k in ("text", "tech", "api"):
        print(f"| {k} | {counts[k]} | {refused[k]} | {100 * refused[k] / counts[k]:.2f}% |")


if __name__ == "__main__":
    main()
