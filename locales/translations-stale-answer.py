# The kiosk reads a pairing answer that is not for the code on screen (an answer to an earlier
# code left in the exchange folder, or a forgery): the code stays, and the manager is told to
# scan it. Machine-assisted: a native speaker must review them.
#   python3 locales/extract.py locales/translations-stale-answer.py
T = {
    "The answer in the exchange folder is not for the code on screen: it answers an earlier code, or no back office made it. Nothing was changed. Scan the code on screen at the back office, then read its answer.": {
        "fr": "La réponse dans le dossier d'échange ne correspond pas au code affiché : elle répond à un code précédent, ou aucun secrétariat ne l'a faite. Rien n'a été modifié. Scannez le code affiché au secrétariat, puis lisez sa réponse.",
        "es": "La respuesta de la carpeta de intercambio no es para el código en pantalla: responde a un código anterior, o no la hizo ninguna administración. No se cambió nada. Escanee el código en pantalla en la administración y luego lea su respuesta.",
        "de": "Die Antwort im Austauschordner gehört nicht zum angezeigten Code: Sie beantwortet einen früheren Code, oder keine Verwaltung hat sie erstellt. Es wurde nichts geändert. Scannen Sie den angezeigten Code in der Verwaltung und lesen Sie dann seine Antwort.",
        "pl": "Odpowiedź w folderze wymiany nie dotyczy kodu na ekranie: odpowiada na wcześniejszy kod albo nie utworzyło jej żadne biuro. Nic nie zmieniono. Zeskanuj kod z ekranu w biurze, a potem odczytaj jego odpowiedź.",
        "ro": "Răspunsul din folderul de schimb nu este pentru codul de pe ecran: răspunde unui cod anterior sau nu l-a făcut niciun birou. Nu s-a schimbat nimic. Scanați codul de pe ecran la birou, apoi citiți răspunsul lui.",
        "pt": "A resposta na pasta de troca não é para o código no ecrã: responde a um código anterior, ou nenhuma receção a fez. Nada foi alterado. Digitalize o código no ecrã na receção e depois leia a sua resposta.",
        "ar": "الرد الموجود في مجلد التبادل ليس للرمز الظاهر على الشاشة: إنه يرد على رمز سابق، أو لم يصنعه أي مكتب إداري. لم يُغيَّر شيء. امسح الرمز الظاهر على الشاشة في المكتب الإداري، ثم اقرأ رده.",
    },
}
