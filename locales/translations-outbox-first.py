# The outbox takes a bundle's forms before the bundle is stored; it must not be on the exchange medium (session 50).
T = {
    "its forms could not be written to the outbox ({}), so the kiosk keeps them. Import again once the outbox can take them.": {
        "fr": "ses formulaires n'ont pas pu être écrits dans le dossier de sortie ({}) : la borne les garde. Importez à nouveau quand le dossier de sortie pourra les recevoir.",
        "es": "sus formularios no se pudieron escribir en la carpeta de salida ({}), así que el quiosco los conserva. Importe de nuevo cuando la carpeta de salida pueda recibirlos.",
        "de": "seine Formulare konnten nicht in den Ausgangsordner geschrieben werden ({}), daher behält der Kiosk sie. Importieren Sie erneut, sobald der Ausgangsordner sie aufnehmen kann.",
        "pl": "jego formularzy nie udało się zapisać w folderze wyjściowym ({}), więc kiosk je zachowuje. Zaimportuj ponownie, gdy folder wyjściowy będzie mógł je przyjąć.",
        "ro": "formularele sale nu au putut fi scrise în dosarul de ieșire ({}), deci chioșcul le păstrează. Importați din nou când dosarul de ieșire le poate primi.",
        "pt": "os seus formulários não puderam ser escritos na pasta de saída ({}), por isso o quiosque guarda-os. Importe de novo quando a pasta de saída os puder receber.",
        "ar": "تعذّرت كتابة نماذجه في مجلد الصادر ({})، لذا يحتفظ بها الكشك. استورد مرة أخرى عندما يستطيع مجلد الصادر استقبالها.",
    },
    "the outbox {} is the exchange folder or lies inside or around it: set the outbox elsewhere (its forms are plain patient data and must not travel with the bundles).": {
        "fr": "le dossier de sortie {} est le dossier d'échange, ou se trouve dedans ou autour : placez-le ailleurs (ses formulaires sont des données de patients en clair et ne doivent pas voyager avec les lots).",
        "es": "la carpeta de salida {} es la carpeta de intercambio o está dentro o alrededor de ella: póngala en otro lugar (sus formularios son datos de pacientes sin cifrar y no deben viajar con los paquetes).",
        "de": "der Ausgangsordner {} ist der Austauschordner oder liegt in ihm oder um ihn herum: Legen Sie ihn woanders an (seine Formulare sind unverschlüsselte Patientendaten und dürfen nicht mit den Paketen reisen).",
        "pl": "folder wyjściowy {} jest folderem wymiany albo leży w nim lub go zawiera: ustaw go gdzie indziej (jego formularze to niezaszyfrowane dane pacjentów i nie mogą podróżować z paczkami).",
        "ro": "dosarul de ieșire {} este dosarul de schimb sau se află în el ori în jurul lui: puneți-l în altă parte (formularele sale sunt date necriptate ale pacienților și nu trebuie să circule cu pachetele).",
        "pt": "a pasta de saída {} é a pasta de troca ou está dentro ou à volta dela: defina-a noutro lugar (os seus formulários são dados de pacientes sem cifra e não devem viajar com os pacotes).",
        "ar": "مجلد الصادر {} هو مجلد التبادل أو يقع داخله أو يحتويه: عيّنه في مكان آخر (نماذجه بيانات مرضى غير مشفّرة ويجب ألا تنتقل مع الحزم).",
    },
}
