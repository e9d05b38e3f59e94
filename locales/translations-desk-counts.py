# The desk's messages that said "record(s)" and "form(s)", worded apart from their counts (a label,
# then the number), so that they read right for one and for many in every language (session 64).
# Machine-assisted: a native speaker must review them.
#   python3 locales/extract.py locales/translations-desk-counts.py
WAL = {
    "fr": " ; d'anciennes copies restent dans le journal WAL jusqu'à la fermeture de l'autre fenêtre.",
    "es": "; quedan copias antiguas en el registro WAL hasta que se cierre la otra ventana.",
    "de": "; alte Kopien bleiben im WAL-Protokoll, bis das andere Fenster geschlossen wird.",
    "pl": "; stare kopie pozostają w dzienniku WAL do zamknięcia drugiego okna.",
    "ro": "; copii vechi rămân în jurnalul WAL până se închide cealaltă fereastră.",
    "pt": "; ficam cópias antigas no registo WAL até a outra janela fechar.",
    "ar": "؛ تبقى نسخ قديمة في سجل WAL حتى تُغلق النافذة الأخرى.",
}
RETENTION = {
    "fr": "Contrôle de conservation. Dossiers examinés : {} ; effacés : adultes {}, enfants {}",
    "es": "Control de conservación. Expedientes revisados: {}; suprimidos: de adultos {}, de menores {}",
    "de": "Aufbewahrungsprüfung. Geprüfte Akten: {}; gelöscht: von Erwachsenen {}, von Kindern {}",
    "pl": "Kontrola okresu przechowywania. Sprawdzone kartoteki: {}; usunięte: dorosłych {}, dzieci {}",
    "ro": "Verificarea perioadei de păstrare. Fișe examinate: {}; șterse: de adulți {}, de copii {}",
    "pt": "Verificação do prazo de conservação. Registos analisados: {}; apagados: de adultos {}, de crianças {}",
    "ar": "فحص مدة الاحتفاظ. السجلات المفحوصة: {}؛ الممحوة: لبالغين {}، لأطفال {}",
}
T = {
    "Retention check. Records looked at: {}; erased: adults {}, children {}.":
        {lang: text + "." for lang, text in RETENTION.items()},
    "Retention check. Records looked at: {}; erased: adults {}, children {}; old copies remain in the WAL until the other window closes.":
        {lang: text + WAL[lang] for lang, text in RETENTION.items()},
    "Record {} merged into this one. Moved: forms {}, consent decisions {}. Its details are kept in the history.": {
        "fr": "Dossier {} fusionné avec celui-ci. Déplacés : formulaires {}, décisions de consentement {}. Ses coordonnées sont conservées dans l'historique.",
        "es": "Registro {} combinado con este. Movidos: formularios {}, decisiones de consentimiento {}. Sus datos se conservan en el historial.",
        "de": "Akte {} mit dieser zusammengeführt. Verschoben: Formulare {}, Einwilligungsentscheidungen {}. Ihre Angaben bleiben im Verlauf erhalten.",
        "pl": "Kartotekę {} scalono z tą. Przeniesiono: formularze {}, decyzje dotyczące zgód {}. Jej dane są zachowane w historii.",
        "ro": "Fișa {} a fost comasată în aceasta. Mutate: formulare {}, decizii de consimțământ {}. Datele sale sunt păstrate în istoric.",
        "pt": "Registo {} fundido neste. Transferidos: formulários {}, decisões de consentimento {}. Os seus dados ficam guardados no histórico.",
        "ar": "دُمج السجل {} في هذا السجل. المنقولة: النماذج {}، قرارات الموافقة {}. وبياناته محفوظة في السجل التاريخي.",
    },
}
