"""The bundled gazetteer: the names under which states and international organisations appear in
news reporting, each mapped to one actor id.

One line per actor: ``ID | kind | display name | names...``. Names are matched case-sensitively
as whole words (proper nouns; "US" the state is not "us" the pronoun). A name listed under two
actors (``Korea``, ``the South``, ``Georgia``) is ambiguous: a mention of it is reported as
such, never guessed. Capitals stand for their governments, as reporting uses them
("Pyongyang", "Washington"); demonyms count where they qualify a noun ("Chinese leaders").
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AMBIGUOUS", "GAZETTEER", "LEADERS", "NOT_ACTORS", "SEATS", "Entry"]


@dataclass(frozen=True)
class Entry:
    """One actor of the gazetteer: its id, kind (``state`` or ``organisation``), display name,
    and every name it goes by."""

    id: str
    kind: str
    name: str
    names: tuple[str, ...]


_TABLE = """
USA | state | United States | United States; United States of America; U.S.; US; U.S.A.; USA; America; American; Americans; Washington; the White House; the State Department; the Pentagon; the Biden administration; the Trump administration; the Obama administration; the Bush administration; Bush administration
DPRK | state | North Korea | North Korea; North Korean; the North Korean; the North Korea; North Koreans; DPRK; Democratic People's Republic of Korea; Pyongyang; the North
ROK | state | South Korea | South Korea; South Korean; South Koreans; ROK; Republic of Korea; Seoul
CHN | state | China | China; Chinese; People's Republic of China; PRC; Beijing
JPN | state | Japan | Japan; Japanese; Tokyo
RUS | state | Russia | Russia; Russian; Russians; Russian Federation; Moscow; the Kremlin; Kremlin
GBR | state | United Kingdom | United Kingdom; UK; U.K.; Britain; Great Britain; British; London; Downing Street; Westminster
FRA | state | France | France; French; Paris; the Elysee; the Élysée
DEU | state | Germany | Germany; German; Germans; Berlin
ITA | state | Italy | Italy; Italian; Italians; Rome
ESP | state | Spain | Spain; Spanish; Madrid
PRT | state | Portugal | Portugal; Portuguese; Lisbon
NLD | state | Netherlands | Netherlands; the Netherlands; Dutch; The Hague; Holland
BEL | state | Belgium | Belgium; Belgian
LUX | state | Luxembourg | Luxembourg; Luxembourgish
IRL | state | Ireland | Ireland; Irish; Republic of Ireland; Dublin
AUT | state | Austria | Austria; Austrian; Vienna
CHE | state | Switzerland | Switzerland; Swiss; Bern; Berne
SWE | state | Sweden | Sweden; Swedish; Stockholm
NOR | state | Norway | Norway; Norwegian; Oslo
DNK | state | Denmark | Denmark; Danish; Copenhagen
FIN | state | Finland | Finland; Finnish; Helsinki
ISL | state | Iceland | Iceland; Icelandic; Reykjavik
POL | state | Poland | Poland; Polish; Warsaw
CZE | state | Czech Republic | Czech Republic; Czechia; Czech; Prague
SVK | state | Slovakia | Slovakia; Slovak; Bratislava
HUN | state | Hungary | Hungary; Hungarian; Budapest
ROU | state | Romania | Romania; Romanian; Bucharest
BGR | state | Bulgaria | Bulgaria; Bulgarian; Sofia
GRC | state | Greece | Greece; Greek; Athens
CYP | state | Cyprus | Cyprus; Cypriot; Nicosia
MLT | state | Malta | Malta; Maltese; Valletta
SVN | state | Slovenia | Slovenia; Slovenian; Ljubljana
HRV | state | Croatia | Croatia; Croatian; Zagreb
SRB | state | Serbia | Serbia; Serbian; Belgrade
EST | state | Estonia | Estonia; Estonian; Tallinn
LVA | state | Latvia | Latvia; Latvian; Riga
LTU | state | Lithuania | Lithuania; Lithuanian; Vilnius
UKR | state | Ukraine | Ukraine; Ukrainian; Kyiv; Kiev
BLR | state | Belarus | Belarus; Belarusian; Minsk
TUR | state | Turkey | Turkey; Türkiye; Turkish; Ankara
IRN | state | Iran | Iran; Iranian; Iranians; Islamic Republic of Iran; Tehran; Teheran
IRQ | state | Iraq | Iraq; Iraqi; Baghdad
SYR | state | Syria | Syria; Syrian; Damascus
ISR | state | Israel | Israel; Israeli; Israelis; Jerusalem
PSE | state | Palestine | Palestine; Palestinian; Palestinians; Palestinian Authority
EGY | state | Egypt | Egypt; Egyptian; Cairo
SAU | state | Saudi Arabia | Saudi Arabia; Saudi; Saudis; Riyadh
ARE | state | United Arab Emirates | United Arab Emirates; UAE; Emirati; Abu Dhabi
QAT | state | Qatar | Qatar; Qatari; Doha
OMN | state | Oman | Oman; Omani; Muscat
KWT | state | Kuwait | Kuwait; Kuwaiti
JOR | state | Jordan | Jordanian; Amman
LBN | state | Lebanon | Lebanon; Lebanese; Beirut
YEM | state | Yemen | Yemen; Yemeni; Sanaa
AFG | state | Afghanistan | Afghanistan; Afghan; Kabul
PAK | state | Pakistan | Pakistan; Pakistani; Islamabad
IND | state | India | India; Indian; New Delhi; Delhi
BGD | state | Bangladesh | Bangladesh; Bangladeshi; Dhaka
LKA | state | Sri Lanka | Sri Lanka; Sri Lankan; Colombo
NPL | state | Nepal | Nepal; Nepalese; Kathmandu
MDV | state | Maldives | Maldives; Maldivian
IDN | state | Indonesia | Indonesia; Indonesian; Jakarta
MYS | state | Malaysia | Malaysia; Malaysian; Kuala Lumpur
SGP | state | Singapore | Singaporean
THA | state | Thailand | Thailand; Thai; Bangkok  # codespell:ignore tha
VNM | state | Vietnam | Vietnam; Viet Nam; Vietnamese; Hanoi  # codespell:ignore nam
PHL | state | Philippines | Philippines; the Philippines; Philippine; Filipino; Manila
MMR | state | Myanmar | Myanmar; Burma; Burmese; Naypyidaw
KHM | state | Cambodia | Cambodia; Cambodian; Phnom Penh
MNG | state | Mongolia | Mongolia; Mongolian; Ulaanbaatar
TWN | state | Taiwan | Taiwan; Taiwanese; Taipei
AUS | state | Australia | Australia; Australian; Canberra
NZL | state | New Zealand | New Zealand; Wellington
FJI | state | Fiji | Fiji; Fijian
TUV | state | Tuvalu | Tuvalu
MHL | state | Marshall Islands | Marshall Islands
CAN | state | Canada | Canada; Canadian; Ottawa
MEX | state | Mexico | Mexico; Mexican; Mexico City
BRA | state | Brazil | Brazil; Brazilian; Brasilia; Brasília
ARG | state | Argentina | Argentina; Argentine; Argentinian; Buenos Aires
CHL | state | Chile | Chile; Chilean; Santiago
COL | state | Colombia | Colombia; Colombian; Bogota; Bogotá
PER | state | Peru | Peru; Peruvian; Lima
VEN | state | Venezuela | Venezuela; Venezuelan; Caracas
BOL | state | Bolivia | Bolivia; Bolivian; La Paz
ECU | state | Ecuador | Ecuador; Ecuadorian; Quito
CUB | state | Cuba | Cuba; Cuban; Havana
ZAF | state | South Africa | South Africa; South African; Pretoria
NGA | state | Nigeria | Nigeria; Nigerian; Abuja
ETH | state | Ethiopia | Ethiopia; Ethiopian; Addis Ababa
KEN | state | Kenya | Kenya; Kenyan; Nairobi
DZA | state | Algeria | Algeria; Algerian; Algiers
MAR | state | Morocco | Morocco; Moroccan; Rabat
TUN | state | Tunisia | Tunisia; Tunisian; Tunis
LBY | state | Libya | Libya; Libyan; Tripoli
SDN | state | Sudan | Sudan; Sudanese; Khartoum
SSD | state | South Sudan | South Sudan; South Sudanese; Juba
SOM | state | Somalia | Somalia; Somali; Mogadishu
GHA | state | Ghana | Ghana; Ghanaian; Accra
SEN | state | Senegal | Senegal; Senegalese; Dakar
COD | state | DR Congo | Democratic Republic of Congo; Democratic Republic of the Congo; DRC; Kinshasa
COG | state | Republic of the Congo | Republic of the Congo; Brazzaville
AGO | state | Angola | Angola; Angolan; Luanda
KAZ | state | Kazakhstan | Kazakhstan; Kazakh; Astana
UZB | state | Uzbekistan | Uzbekistan; Uzbek; Tashkent
AZE | state | Azerbaijan | Azerbaijan; Azerbaijani; Baku
ARM | state | Armenia | Armenia; Armenian; Yerevan
GEO | state | Georgia | Georgian; Tbilisi
GUY | state | Guyana | Guyana; Guyanese; Georgetown
SUR | state | Suriname | Suriname; Surinamese; Paramaribo
PRY | state | Paraguay | Paraguay; Paraguayan; Asuncion; Asunción
URY | state | Uruguay | Uruguay; Uruguayan; Montevideo
PAN | state | Panama | Panama; Panamanian; Panama City
CRI | state | Costa Rica | Costa Rica; Costa Rican
NIC | state | Nicaragua | Nicaragua; Nicaraguan; Managua
HND | state | Honduras | Honduras; Honduran; Tegucigalpa
SLV | state | El Salvador | El Salvador; Salvadoran; Salvadorean; San Salvador
GTM | state | Guatemala | Guatemala; Guatemalan; Guatemala City
BLZ | state | Belize | Belize; Belizean; Belmopan
HTI | state | Haiti | Haiti; Haitian; Port-au-Prince
DOM | state | Dominican Republic | Dominican Republic; Santo Domingo
JAM | state | Jamaica | Jamaica; Jamaican
BHS | state | Bahamas | Bahamas; the Bahamas; Bahamian
BRB | state | Barbados | Barbados; Barbadian; Bridgetown
TTO | state | Trinidad and Tobago | Trinidad and Tobago; Trinidadian; Port of Spain
GRD | state | Grenada | Grenada; Grenadian
LCA | state | Saint Lucia | Saint Lucia; St Lucia; St. Lucia; Saint Lucian
VCT | state | Saint Vincent and the Grenadines | Saint Vincent and the Grenadines; St Vincent and the Grenadines; St. Vincent and the Grenadines
KNA | state | Saint Kitts and Nevis | Saint Kitts and Nevis; St Kitts and Nevis; St. Kitts and Nevis
ATG | state | Antigua and Barbuda | Antigua and Barbuda; Antiguan
DMA | state | Dominica | Dominica
ALB | state | Albania | Albania; Albanian; Tirana
AND | state | Andorra | Andorra; Andorran
BIH | state | Bosnia and Herzegovina | Bosnia and Herzegovina; Bosnia-Herzegovina; Bosnia; Bosnian; Sarajevo
LIE | state | Liechtenstein | Liechtenstein
MDA | state | Moldova | Moldova; Moldovan; Chisinau; Chișinău
MCO | state | Monaco | Monaco; Monegasque
MNE | state | Montenegro | Montenegro; Montenegrin; Podgorica
MKD | state | North Macedonia | North Macedonia; Macedonia; Macedonian; Skopje
SMR | state | San Marino | San Marino; Sammarinese
VAT | state | Holy See | Holy See; the Vatican; Vatican
BHR | state | Bahrain | Bahrain; Bahraini; Manama
BTN | state | Bhutan | Bhutan; Bhutanese; Thimphu
BRN | state | Brunei | Brunei; Brunei Darussalam; Bruneian
KGZ | state | Kyrgyzstan | Kyrgyzstan; Kyrgyz; Bishkek
TJK | state | Tajikistan | Tajikistan; Tajik; Dushanbe
TKM | state | Turkmenistan | Turkmenistan; Turkmen; Ashgabat
LAO | state | Laos | Laos; Lao People's Democratic Republic; Laotian; Vientiane
TLS | state | Timor-Leste | Timor-Leste; East Timor; Timorese; Dili
KIR | state | Kiribati | Kiribati
FSM | state | Micronesia | Micronesia; Federated States of Micronesia; Micronesian
NRU | state | Nauru | Nauru; Nauruan
PLW | state | Palau | Palau; Palauan
PNG | state | Papua New Guinea | Papua New Guinea; Port Moresby
WSM | state | Samoa | Samoa; Samoan; Apia
SLB | state | Solomon Islands | Solomon Islands; Solomon Islander; Honiara
TON | state | Tonga | Tonga; Tongan
VUT | state | Vanuatu | Vanuatu; Vanuatuan; Port Vila
CIV | state | Cote d'Ivoire | Côte d'Ivoire; Cote d'Ivoire; Ivory Coast; Ivorian; Yamoussoukro; Abidjan
CPV | state | Cabo Verde | Cabo Verde; Cape Verde; Cape Verdean
SWZ | state | Eswatini | Eswatini; Swaziland; Swazi; Mbabane
LSO | state | Lesotho | Lesotho; Maseru
BWA | state | Botswana | Botswana; Gaborone
NAM | state | Namibia | Namibia; Namibian; Windhoek  # codespell:ignore nam
ZWE | state | Zimbabwe | Zimbabwe; Zimbabwean; Harare
ZMB | state | Zambia | Zambia; Zambian; Lusaka
MOZ | state | Mozambique | Mozambique; Mozambican; Maputo
MDG | state | Madagascar | Madagascar; Malagasy; Antananarivo
MUS | state | Mauritius | Mauritius; Mauritian; Port Louis
SYC | state | Seychelles | Seychelles; Seychellois
COM | state | Comoros | Comoros; Comorian; Moroni
DJI | state | Djibouti | Djibouti; Djiboutian
ERI | state | Eritrea | Eritrea; Eritrean; Asmara
UGA | state | Uganda | Uganda; Ugandan; Kampala
RWA | state | Rwanda | Rwanda; Rwandan; Kigali
BDI | state | Burundi | Burundi; Burundian; Gitega; Bujumbura
TZA | state | Tanzania | Tanzania; Tanzanian; Dodoma; Dar es Salaam
CMR | state | Cameroon | Cameroon; Cameroonian; Yaounde; Yaoundé
CAF | state | Central African Republic | Central African Republic; Bangui  # codespell:ignore caf
GAB | state | Gabon | Gabon; Gabonese; Libreville
BEN | state | Benin | Benin; Beninese; Porto-Novo; Cotonou
BFA | state | Burkina Faso | Burkina Faso; Burkinabe; Burkinabè; Ouagadougou
GMB | state | Gambia | Gambia; the Gambia; The Gambia; Gambian; Banjul
LBR | state | Liberia | Liberia; Liberian; Monrovia
SLE | state | Sierra Leone | Sierra Leone; Sierra Leonean; Freetown
MRT | state | Mauritania | Mauritania; Mauritanian; Nouakchott
STP | state | Sao Tome and Principe | São Tomé and Príncipe; Sao Tome and Principe
NER | state | Niger | Niger; Nigerien; Niamey
TCD | state | Chad | Chad; Chadian; N'Djamena
MLI | state | Mali | Mali; Malian; Bamako
TGO | state | Togo | Togo; Togolese; Lome; Lomé
GIN | state | Guinea | Republic of Guinea; Conakry
GNQ | state | Equatorial Guinea | Equatorial Guinea; Equatoguinean; Malabo
GNB | state | Guinea-Bissau | Guinea-Bissau; Bissau
MWI | state | Malawi | Malawi; Malawian; Lilongwe
XKX | state | Kosovo | Kosovo; Kosovar; Kosovars; Kosovan; Pristina
EU | organisation | European Union | European Union; EU; E.U.; Brussels; the Union; the European Commission; European Commission; the Commission; the European Council; European Council; the Council of the EU; the Council of the European Union; European Parliament; the European Parliament; MEPs; Eurogroup; the Eurogroup
UN | organisation | United Nations | United Nations; UN; U.N.; the UN Security Council; UN Security Council; U.N. Security Council; the Security Council; Security Council; UN General Assembly; the General Assembly
IAEA | organisation | International Atomic Energy Agency | International Atomic Energy Agency; IAEA
NATO | organisation | NATO | NATO; North Atlantic Treaty Organization; North Atlantic Treaty Organisation; the Alliance
UNFCCC | organisation | UN climate secretariat | UNFCCC; UN Framework Convention on Climate Change; United Nations Framework Convention on Climate Change
WTO | organisation | World Trade Organization | World Trade Organization; World Trade Organisation; WTO
IMF | organisation | International Monetary Fund | International Monetary Fund; IMF
WB | organisation | World Bank | World Bank
ASEAN | organisation | ASEAN | ASEAN; Association of Southeast Asian Nations
AU | organisation | African Union | African Union
OPEC | organisation | OPEC | OPEC; OPEC+; OPEC Plus; Organization of the Petroleum Exporting Countries
G7 | organisation | Group of Seven | G7; G-7; Group of Seven
G20 | organisation | Group of 20 | G20; G-20; Group of 20; Group of Twenty
E3 | organisation | E3 (France, Germany, UK) | E3
WHO | organisation | World Health Organization | World Health Organization; World Health Organisation
OSCE | organisation | OSCE | OSCE; Organization for Security and Co-operation in Europe
AOSIS | organisation | Alliance of Small Island States | Alliance of Small Island States; AOSIS
G77 | organisation | Group of 77 | G77; G-77; Group of 77; G77 and China
HAMAS | organisation | Hamas | Hamas
HEZBOLLAH | organisation | Hezbollah | Hezbollah; Hizbollah
ARAB_LEAGUE | organisation | Arab League | Arab League; the Arab League; League of Arab States
GCC | organisation | Gulf Cooperation Council | Gulf Cooperation Council; GCC
ECB | organisation | European Central Bank | European Central Bank; ECB
ESM | organisation | European Stability Mechanism | European Stability Mechanism; ESM
OECD | organisation | OECD | OECD; Organisation for Economic Co-operation and Development; Organization for Economic Cooperation and Development
BRICS | organisation | BRICS | BRICS
SCO | organisation | Shanghai Cooperation Organisation | Shanghai Cooperation Organisation; Shanghai Cooperation Organization
ECOWAS | organisation | ECOWAS | ECOWAS; Economic Community of West African States
SADC | organisation | SADC | SADC; Southern African Development Community
IGAD | organisation | IGAD | IGAD; Intergovernmental Authority on Development
EAC | organisation | East African Community | East African Community
OAS | organisation | Organization of American States | Organization of American States; OAS
CARICOM | organisation | CARICOM | CARICOM; Caribbean Community
MERCOSUR | organisation | Mercosur | Mercosur; MERCOSUR; Mercosul
COE | organisation | Council of Europe | Council of Europe
OIC | organisation | Organisation of Islamic Cooperation | Organisation of Islamic Cooperation; Organization of Islamic Cooperation; OIC
ICC | organisation | International Criminal Court | International Criminal Court
ICJ | organisation | International Court of Justice | International Court of Justice; ICJ
ICRC | organisation | Red Cross | International Committee of the Red Cross; ICRC; Red Cross
UNHCR | organisation | UN refugee agency | UNHCR; UN refugee agency
WFP | organisation | World Food Programme | World Food Programme; World Food Program; WFP
OPCW | organisation | OPCW | OPCW; Organisation for the Prohibition of Chemical Weapons; Organization for the Prohibition of Chemical Weapons
IEA | organisation | International Energy Agency | International Energy Agency; IEA
TALIBAN | organisation | Taliban | Taliban; the Taliban
FARC | organisation | FARC | FARC; Revolutionary Armed Forces of Colombia; FARC-EP
ELN | organisation | ELN | ELN
HOUTHIS | organisation | Houthis | Houthis; Houthi; Ansar Allah
UNRWA | organisation | UNRWA | UNRWA; UN Relief and Works Agency
UNICEF | organisation | UNICEF | UNICEF
PIJ | organisation | Palestinian Islamic Jihad | Islamic Jihad; Palestinian Islamic Jihad
"""

#: Names reporting uses for more than one actor: a mention of one is reported as ambiguous.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "Korea": ("DPRK", "ROK"),
    "Korean": ("DPRK", "ROK"),
    "Koreans": ("DPRK", "ROK"),
    "the South": ("ROK",),  # only with "the North" in view; kept ambiguous on its own
    "Congo": ("COD", "COG"),
    "Congolese": ("COD", "COG"),
    "Georgia": ("GEO", "USA"),  # the state, or the US state
    "Jordan": ("JOR",),  # the state, or a person's name
    "Singapore": ("SGP",),  # the state, or the city hosting talks
    "Guinea": ("GIN", "GNB", "GNQ"),
    "Sudanese": ("SDN", "SSD"),
    "Gulf": ("SAU", "ARE", "QAT", "KWT", "OMN"),
}


#: Names that contain an actor's name but name no actor: places, wars, newspapers. Matching
#: them whole keeps "Korean" in "the Korean peninsula" from counting as a mention.
NOT_ACTORS: frozenset[str] = frozenset(
    {
        "Korean peninsula",
        "Korean Peninsula",
        "Korean War",
        "Korean war",
        "South China Sea",
        "East China Sea",
        "New York",
        "New York Times",
        "Washington Post",
        "Gulf of Mexico",
        "Persian Gulf",
        "Gulf War",
        "Korea Herald",
        "Korea Times",
        "China Daily",
        "Yonhap",
        "Yonhap News Agency",
        "Korean Central News Agency",
        "Paris Agreement",
        "Paris agreement",
        "Paris Agreement's",
        "Brussels Airport",
        "Tokyo Stock Exchange",
        "Washington State",
        "Washington, D.C.",
        "Iran nuclear deal",
        "Berlin Wall",
        "Soviet Union",
        "Chernobyl",
        "Munhwa Ilbo",
        "Globe and Mail",
        "Jordan River",
        "Korea Policy",
        "Niger Delta",
        "Niger River",
        "American Samoa",
        "Georgetown University",
        "Supreme National Security Council",
        "National Security Council",
    }
)


#: Capitals and seats of government. They stand for their government ("pressure on
#: Washington"), except where they name the place something happens ("told reporters in
#: Beijing", "talks in Vienna"): after "in", "at", "inside" they are venues, not mentions.
SEATS: frozenset[str] = frozenset(
    """Washington;Pyongyang;Seoul;Beijing;Tokyo;Moscow;London;Paris;Berlin;Rome;Madrid;Lisbon;
    The Hague;Dublin;Vienna;Bern;Berne;Stockholm;Oslo;Copenhagen;Helsinki;Reykjavik;Warsaw;
    Prague;Bratislava;Budapest;Bucharest;Sofia;Athens;Nicosia;Valletta;Ljubljana;Zagreb;
    Belgrade;Tallinn;Riga;Vilnius;Kyiv;Kiev;Minsk;Ankara;Tehran;Teheran;Baghdad;Damascus;
    Jerusalem;Cairo;Riyadh;Abu Dhabi;Doha;Muscat;Amman;Beirut;Sanaa;Kabul;Islamabad;New Delhi;
    Delhi;Dhaka;Colombo;Kathmandu;Jakarta;Kuala Lumpur;Bangkok;Hanoi;Manila;Naypyidaw;
    Phnom Penh;Ulaanbaatar;Taipei;Canberra;Wellington;Ottawa;Mexico City;Brasilia;Brasília;
    Buenos Aires;Santiago;Bogota;Bogotá;Lima;Caracas;La Paz;Quito;Havana;Pretoria;Abuja;
    Addis Ababa;Nairobi;Algiers;Rabat;Tunis;Tripoli;Khartoum;Juba;Mogadishu;Accra;Dakar;
    Kinshasa;Brazzaville;Luanda;Astana;Tashkent;Baku;Yerevan;Tbilisi;Brussels;Downing Street;
    Westminster;the Kremlin;Kremlin;the White House;the Elysee;the Élysée;Georgetown;Paramaribo;
    Asuncion;Asunción;Montevideo;Panama City;Managua;Tegucigalpa;San Salvador;Guatemala City;
    Belmopan;Port-au-Prince;Santo Domingo;Bridgetown;Port of Spain;Tirana;Sarajevo;Chisinau;
    Chișinău;Podgorica;Skopje;Manama;Thimphu;Bishkek;Dushanbe;Ashgabat;Vientiane;Dili;Apia;
    Port Moresby;Honiara;Port Vila;Yamoussoukro;Abidjan;Mbabane;Maseru;Gaborone;Windhoek;Harare;
    Lusaka;Maputo;Antananarivo;Port Louis;Moroni;Asmara;Kampala;Kigali;Gitega;Bujumbura;Dodoma;
    Dar es Salaam;Yaounde;Yaoundé;Bangui;Libreville;Porto-Novo;Cotonou;Ouagadougou;Banjul;
    Monrovia;Freetown;Nouakchott;Niamey;N'Djamena;Bamako;Lome;Lomé;Conakry;Malabo;Bissau;
    Lilongwe""".replace("\n", "")
    .replace("    ", "")
    .split(";")
)


def _entries() -> tuple[Entry, ...]:
    out = []
    for line in _TABLE.strip().splitlines():
        line = line.split("#")[0]  # a comment (for the spelling checker)
        actor_id, kind, name, names = (part.strip() for part in line.split("|"))
        out.append(Entry(actor_id, kind, name, tuple(n.strip() for n in names.split(";"))))
    return tuple(out)


#: Every actor of the gazetteer, in table order.
GAZETTEER: tuple[Entry, ...] = _entries()


#: Heads of state or government since 2000 whose state is not in doubt (none who later spoke
#: for an organisation), by full name and distinctive surname. Used only for a possessive
#: that names an aide: "Boris Johnson's Europe adviser David Frost" speaks for the United
#: Kingdom, "Putin's spokesman Dmitry Peskov" for Russia. A leader's own words are not
#: attributed from this list (a name alone says nothing of the office held when speaking).
LEADERS: dict[str, str] = {
    name: actor
    for actor, names in {
        "USA": "George W. Bush;Barack Obama;Obama;Donald Trump;Trump;Joe Biden;Biden",
        "GBR": "Tony Blair;Blair;Gordon Brown;David Cameron;Cameron;Theresa May;Boris Johnson;"
        "Liz Truss;Rishi Sunak;Sunak;Keir Starmer;Starmer",
        "RUS": "Vladimir Putin;Putin;Dmitry Medvedev;Medvedev",
        "CHN": "Hu Jintao;Xi Jinping;Xi;Li Keqiang;Li Qiang",
        "FRA": "Jacques Chirac;Chirac;Nicolas Sarkozy;Sarkozy;Francois Hollande;François Hollande;"
        "Hollande;Emmanuel Macron;Macron",
        "DEU": "Gerhard Schroeder;Gerhard Schröder;Angela Merkel;Merkel;Olaf Scholz;Scholz;"
        "Friedrich Merz;Merz",
        "IRN": "Mahmoud Ahmadinejad;Ahmadinejad;Hassan Rouhani;Rouhani;Ebrahim Raisi;Raisi;"
        "Masoud Pezeshkian;Pezeshkian;Ali Khamenei;Khamenei",
        "ISR": "Benjamin Netanyahu;Netanyahu;Naftali Bennett;Yair Lapid;Ariel Sharon;Ehud Olmert",
        "TUR": "Recep Tayyip Erdogan;Recep Tayyip Erdoğan;Erdogan;Erdoğan",
        "UKR": "Volodymyr Zelensky;Volodymyr Zelenskyy;Zelensky;Zelenskyy;Petro Poroshenko;"
        "Poroshenko",
        "IND": "Narendra Modi;Modi;Manmohan Singh",
        "JPN": "Shinzo Abe;Fumio Kishida;Kishida;Shigeru Ishiba;Ishiba",
        "ROK": "Moon Jae-in;Yoon Suk Yeol;Lee Jae-myung;Park Geun-hye",
        "DPRK": "Kim Jong Un;Kim Jong-un;Kim Jong Il;Kim Jong-il",
        "BRA": "Luiz Inacio Lula da Silva;Luiz Inácio Lula da Silva;Lula;Jair Bolsonaro;Bolsonaro",
        "HUN": "Viktor Orban;Viktor Orbán;Orban;Orbán",
        "ITA": "Silvio Berlusconi;Berlusconi;Giorgia Meloni;Meloni;Matteo Renzi;Giuseppe Conte",
        "GRC": "Alexis Tsipras;Tsipras;Kyriakos Mitsotakis;Mitsotakis",
        "CAN": "Justin Trudeau;Trudeau;Stephen Harper;Mark Carney",
        "AUS": "Anthony Albanese;Scott Morrison;Malcolm Turnbull",
        "SAU": "Mohammed bin Salman;King Salman",
        "EGY": "Abdel Fattah al-Sisi;Abdel Fattah el-Sisi;Sisi;el-Sisi;al-Sisi",
        "SYR": "Bashar al-Assad;Assad;al-Assad",
        "VEN": "Hugo Chavez;Hugo Chávez;Nicolas Maduro;Nicolás Maduro;Maduro",
        "COL": "Juan Manuel Santos;Alvaro Uribe;Álvaro Uribe;Gustavo Petro",
        "BLR": "Alexander Lukashenko;Lukashenko",
        "PAK": "Imran Khan;Shehbaz Sharif;Nawaz Sharif",
        "AFG": "Hamid Karzai;Karzai;Ashraf Ghani;Ghani",
        "ZAF": "Cyril Ramaphosa;Ramaphosa;Jacob Zuma;Thabo Mbeki",
        "SRB": "Aleksandar Vucic;Aleksandar Vučić;Vucic;Vučić",
        "XKX": "Albin Kurti;Kurti;Hashim Thaci",
    }.items()
    for name in names.split(";")
}
