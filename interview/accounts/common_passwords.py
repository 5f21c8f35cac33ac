"""Common passwords the policy refuses (interview.accounts.passwords).

Written from the well-known top lists of leaked passwords (the most frequent few hundred, and
their usual 12-character-or-longer stretches), lower-case and without spaces or dots, since
the check folds case and drops separators first. Digits or symbols added around an entry
(password1234, iloveyou!!) and look-alike digits (p@ssw0rd) are caught by the check, so
those variants are not listed.
"""

from __future__ import annotations

_LISTED = """
    123456 1234567 12345678 123456789 1234567890 12345678910 123123 123321 111111 000000
    654321 666666 121212 112233 123qwe qwe123 1q2w3e 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y
    qwerty qwertyuiop qwerty123 qwertyui qwert asdf asdfgh asdfghjkl zxcvbnm zaq12wsx
    1qaz2wsx zaq1zaq1 qazwsx qazwsxedc password passwort passw0rd pass pass123 password1
    passwords mypassword thisismypassword newpassword secretpassword passwordpassword
    defaultpassword temppassword temporarypassword changeme changeit changethis welcome
    welcometoourcompany welcomehome letmein letmeinnow openup opensesame secret secret1
    topsecret iloveyou iloveyouforever iloveyoutoo iloveu loveyou loveyouforever lovely love
    loveme lover loving ihateyou admin administrator adminadmin root toor guest user test
    tester testing testpassword demo default login login123 access accessgranted master
    masterkey mastermind superuser supervisor system sysadmin webmaster manager support
    helpdesk service server database oracle mysql postgres computer internet network laptop
    windows microsoft apple google facebook twitter linkedin instagram yahoo hotmail gmail
    outlook amazon netflix spotify youtube samsung iphone android nokia dell lenovo hello
    helloworld hellothere hello123 abc123 abcdef abcd1234 a1b2c3 a1b2c3d4 aa123456 abcabc
    monkey dragon dragonball shadow sunshine princess princesa football baseball basketball
    soccer hockey tennis golfer golf cricket rugby chelsea liverpool arsenal manchester
    manutd barcelona realmadrid juventus yankees lakers cowboys steelers eagles dolphins
    superman batman spiderman ironman captainamerica avengers starwars startrek pokemon
    pikachu naruto hogwarts harrypotter gandalf frodo matrix neo trinity terminator ninja
    samurai master1 michael jennifer jessica ashley daniel michelle charlie jordan thomas
    robert nicole anthony andrew joshua matthew hannah amanda justin buster tigger ginger
    pepper maggie bailey sophie chloe lucky jasmine summer winter autumn spring flower
    flowers rainbow butterfly angel angels blessed godisgood jesus jesuschrist christ
    jesuslovesme trinity1 heaven hunter hunter2 killer fuckyou fuckoff asshole bitch
    biteme sexy sexygirl hottie cutie babygirl babyboy baby sweety sweetheart honey sugar
    cookie cheese chocolate banana orange apple123 strawberry pineapple coffee pizza
    whatever nothing something anything everything freedom liberty america canada london
    paris berlin tokyo china beijing shanghai newyork california texas florida chicago
    boston miami dallas qwerty1 trustno1 trustnoone nobodyknows noone iamthebest
    imthebest letitbe wearethechampions thequickbrownfox thequickbrownfoxjumpsoverthelazydog
    correcthorsebatterystaple troubador tr0ub4dor&3 incorrect mustang ferrari porsche
    corvette mercedes bmw audi toyota honda harley yamaha jaguar tiger lion eagle falcon
    phoenix wolf bear panther shark dolphin horse monkey123 dragon123 zxcvbn zxcvbnm123
    asdf1234 asdfasdf qweasd qweasdzxc 1qazxsw2 q1w2e3r4 q1w2e3r4t5 1a2b3c4d 12qwaszx
    987654321 9876543210 0987654321 147258369 159753 159357 741852963 789456123 789456
    147852 258456 963852741 112233445566 123454321 1234554321 123412341234 11223344
    aaaaaa abc qazqaz michael1 charlie1 jordan23 letmein1 welcome1 welcome123 admin123
    root123 pass1234 passpass password12 password123 password1234 p4ssword passw0rd1
    football1 baseball1 iloveyou1 princess1 sunshine1 monkey1 dragon1 shadow1 superman1
    batman1 starwars1 computer1 internet1 whatever1 freedom1 qwerty12 qwerty1234 abcd123
    interview interviewer recruiter recruitment hiring hrdepartment humanresources jobs
    career company business office work worker employee employer manager1 boss team
    teamwork success winner champion victory money dollar rich million billion cash bitcoin
    crypto blockchain lottery jackpot casino poker diamond gold silver platinum purple
    blue red green yellow black white orange1 silver1 matrix1 nintendo playstation xbox
    minecraft fortnite roblox gamer gaming counterstrike warcraft worldofwarcraft zelda
    mario luigi sonic metallica nirvana beatles rockyou rockandroll guitar music musician
    piano drummer singer dancer dancing party summer2024 winter2024 spring2024 autumn2024
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
    family friends friendship forever always together happiness happy smile sunshine1
    beautiful pretty princess123 mybaby mylove myself mother father sister brother
    daughter grandma grandpa mommy daddy husband wife girlfriend boyfriend
    nopassword nopass none null undefined empty blank asdfqwer qwerasdf zxcvasdf
    wordpass password! letmein! welcome! iloveyou! qwertyqwerty asdfasdfasdf
    abcdefghijkl abcdefghijklmnopqrstuvwxyz 1234567890123 12345678901234567890
"""
COMMON_PASSWORDS = frozenset(_LISTED.split())
